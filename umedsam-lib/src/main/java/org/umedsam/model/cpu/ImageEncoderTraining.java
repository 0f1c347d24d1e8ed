package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * LiteMedSAM's TinyViT image encoder for training on heap arrays: a forward pass over a batch that keeps its
 * tape, {@code [B][3, S*S] -> [B][E, (S/4)^2]}, and the backward pass from dLoss/dembedding to every
 * {@code image_encoder.*} parameter. Same layers and layouts as {@link CpuImageEncoder} (patch embedding and
 * the MBConv stage channel-first, the rest channel-last), but BatchNorm is not folded: with batch statistics
 * it normalises over the batch and its gradient flows through them, as PyTorch's training mode does.
 *
 * <p>Memory: the tape holds every activation the backward needs, about 2 GB per image for LiteMedSAM at
 * 256 x 256 (4.1 GB at batch 2, 1.3 GB for the small preset; {@code CpuTrainingBenchmark}); the MBConv stage
 * at full resolution dominates.
 */
final class ImageEncoderTraining {

    private static final String P = "image_encoder.";

    private final ModelConfig config;
    private final PatchEmbedTraining patchEmbed;
    private final MBConvTraining[] mbconvs;
    private final PatchMergingTraining[] mergings;
    /** Blocks of stages 1, 2, 3 (index 0 unused). */
    private final TinyVitBlockTraining[][] blocks;
    private final NeckTraining neck;

    /** The tapes of one forward pass, in layer order. */
    record Tape(int batch, PatchEmbedTraining.Tape patchEmbed, MBConvTraining.Tape[] mbconvs,
                PatchMergingTraining.Tape[] mergings, TinyVitBlockTraining.Tape[][] blocks, NeckTraining.Tape neck,
                float[][] embedding) {

        /** Every BatchNorm's tape (prefix, batch statistics), in the order of the forward pass. */
        List<Conv2dBnTraining.Tape> norms() {
            List<Conv2dBnTraining.Tape> out = new ArrayList<>(patchEmbed.norms());
            for (MBConvTraining.Tape m : mbconvs) {
                out.addAll(m.norms());
            }
            for (int i = 0; i < 3; i++) {
                out.addAll(mergings[i].norms());
                if (blocks[i + 1] != null) {
                    for (TinyVitBlockTraining.Tape b : blocks[i + 1]) {
                        out.add(b.local());
                    }
                }
            }
            return out;
        }
    }

    ImageEncoderTraining(ModelConfig c, StateDictWeights w) {
        this.config = c;
        int[] d = c.embedDims();
        patchEmbed = new PatchEmbedTraining(w, P + "patch_embed", d[0]);
        mbconvs = new MBConvTraining[c.depths()[0]];
        for (int j = 0; j < mbconvs.length; j++) {
            mbconvs[j] = new MBConvTraining(w, P + "layers.0.blocks." + j, d[0], d[0] * c.mbconvExpandRatio());
        }
        mergings = new PatchMergingTraining[3];
        blocks = new TinyVitBlockTraining[4][];
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                blocks[i] = new TinyVitBlockTraining[c.depths()[i]];
                for (int j = 0; j < blocks[i].length; j++) {
                    blocks[i][j] = new TinyVitBlockTraining(w, P + "layers." + i + ".blocks." + j, d[i],
                            c.numHeads()[i], c.windowSizes()[i], c.mlpRatio());
                }
            }
            if (i < 3) {
                mergings[i] = new PatchMergingTraining(w, P + "layers." + i + ".downsample", d[i], d[i + 1],
                        c.mergeStrides()[i]);
            }
        }
        neck = new NeckTraining(w, P + "neck", d[3], c.promptEmbedDim());
    }

    /**
     * @param images one {@code [3, S*S]} channel-first image per batch item (kept by the tape)
     * @param batchStatistics BatchNorm over the batch (training mode) or with the running statistics
     */
    Tape forward(float[][] images, boolean batchStatistics) {
        int b = images.length;
        int side = config.imageSize();
        int[] d = config.embedDims();
        float[][] x = new float[b][];
        PatchEmbedTraining.Tape pe = patchEmbed.forward(images, side, batchStatistics, x);
        MBConvTraining.Tape[] mt = new MBConvTraining.Tape[mbconvs.length];
        for (int j = 0; j < mbconvs.length; j++) {
            float[][] y = new float[b][];
            mt[j] = mbconvs[j].forward(x, side, batchStatistics, y);
            x = y;
        }
        for (int i = 0; i < b; i++) {
            float[] tokens = new float[x[i].length];
            Transpose.apply(x[i], d[0], side * side, tokens);
            x[i] = tokens;
        }
        PatchMergingTraining.Tape[] gt = new PatchMergingTraining.Tape[3];
        TinyVitBlockTraining.Tape[][] bt = new TinyVitBlockTraining.Tape[4][];
        for (int i = 0; i < 3; i++) {
            float[][] y = new float[b][];
            gt[i] = mergings[i].forward(x, side, batchStatistics, y);
            side = mergings[i].outputSide(side);
            x = y;
            TinyVitBlockTraining[] stage = blocks[i + 1];
            bt[i + 1] = new TinyVitBlockTraining.Tape[stage.length];
            for (int j = 0; j < stage.length; j++) {
                float[][] z = new float[b][];
                bt[i + 1][j] = stage[j].forward(x, side, batchStatistics, z);
                x = z;
            }
        }
        float[][] emb = new float[b][];
        NeckTraining.Tape nt = neck.forward(x, side, emb);
        return new Tape(b, pe, mt, gt, bt, nt, emb);
    }

    /** Accumulates every image-encoder parameter's gradient from dLoss/dembedding (overwritten) into {@code g}. */
    void backward(Tape t, float[][] dEmbedding, GradientSums g) {
        int b = t.batch();
        int side = config.imageSize();
        int[] d = config.embedDims();
        float[][] dx = neck.backward(t.neck(), dEmbedding, g);
        for (int i = 2; i >= 0; i--) {
            TinyVitBlockTraining[] stage = blocks[i + 1];
            for (int j = stage.length - 1; j >= 0; j--) {
                dx = stage[j].backward(t.blocks()[i + 1][j], dx, g);
            }
            dx = mergings[i].backward(t.mergings()[i], dx, g);
        }
        for (int i = 0; i < b; i++) {
            float[] chw = new float[dx[i].length];
            Transpose.apply(dx[i], side * side, d[0], chw);
            dx[i] = chw;
        }
        for (int j = mbconvs.length - 1; j >= 0; j--) {
            dx = mbconvs[j].backward(t.mbconvs()[j], dx, g);
        }
        patchEmbed.backward(t.patchEmbed(), dx, g);
    }
}
