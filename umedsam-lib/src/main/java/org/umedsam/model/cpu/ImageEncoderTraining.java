package org.umedsam.model.cpu;

import org.umedsam.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * LiteMedSAM's TinyViT image encoder for training on heap arrays: a forward pass over a batch that keeps its
 * tape, {@code [B][3, S*S] -> [B][E, (S/4)^2]}, and the backward pass from dLoss/dembedding to every
 * {@code image_encoder.*} parameter. Same layers and layouts as {@link ImageEncoder} (patch embedding
 * channel-first, the rest channel-last), but BatchNorm is not folded: with batch statistics
 * it normalises over the batch and its gradient flows through them, as PyTorch's training mode does.
 *
 * <p>Memory: the tape keeps what is costly to recompute; the layers rebuild the rest in the backward pass, bit for
 * bit (BatchNorm and GELU outputs, the MLP's LayerNorm and GELU, the MBConv stage's first two convolutions, the
 * neck's im2col). A full tape was about 2 GB per image for LiteMedSAM at 256 x 256 and 1.3 GB at batch 2 for
 * the small preset ({@code CpuTrainingBenchmark} prints it). Every map comes from the {@link TapeArena}; a
 * releasing backward gives each layer's tape back as soon as that layer is done, and its own temporaries
 * after use, so the next pass reuses them.
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
    private final TapeArena arena;

    /**
     * The tapes of one forward pass, in layer order. A backward pass that {@code releases} it drops each layer's
     * tape as soon as that layer's gradients are done, so the collector can reclaim the tape while the backward
     * pass still allocates its own arrays (the tape is then spent).
     */
    static final class Tape {
        private final int batch;
        private PatchEmbedTraining.Tape patchEmbed;
        private final ConvChainTraining.Tape[] mbconvs;
        private final ConvChainTraining.Tape[] mergings;
        private final TinyVitBlockTraining.Tape[][] blocks;
        private NeckTraining.Tape neck;
        private final float[][] embedding;
        private final List<Conv2dBnTraining.Tape> norms;
        private boolean spent;

        Tape(int batch, PatchEmbedTraining.Tape patchEmbed, ConvChainTraining.Tape[] mbconvs,
             ConvChainTraining.Tape[] mergings, TinyVitBlockTraining.Tape[][] blocks, NeckTraining.Tape neck,
             float[][] embedding) {
            this.batch = batch;
            this.patchEmbed = patchEmbed;
            this.mbconvs = mbconvs;
            this.mergings = mergings;
            this.blocks = blocks;
            this.neck = neck;
            this.embedding = embedding;
            List<Conv2dBnTraining.Tape> out = new ArrayList<>(patchEmbed.norms());
            for (ConvChainTraining.Tape m : mbconvs) {
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
            // the statistics only: a released tape must not keep its maps alive through this list
            List<Conv2dBnTraining.Tape> stats = new ArrayList<>(out.size());
            for (Conv2dBnTraining.Tape t : out) {
                stats.add(new Conv2dBnTraining.Tape(t.prefix(), null, null, t.statistics(), t.side(), t.batchStatistics()));
            }
            this.norms = List.copyOf(stats);
        }

        int batch() {
            return batch;
        }

        /** The embedding per image, {@code [E, (S/4)^2]}. */
        float[][] embedding() {
            return embedding;
        }

        /** Every BatchNorm's prefix and batch statistics (maps not included), in the order of the forward pass. */
        List<Conv2dBnTraining.Tape> norms() {
            return norms;
        }
    }

    /** @param arena where the passes' maps come from and go back to ({@link TapeArena#NONE}: fresh arrays) */
    ImageEncoderTraining(ModelConfig c, StateDictWeights w, TapeArena arena) {
        this.config = c;
        this.arena = arena;
        int[] d = c.embedDims();
        patchEmbed = new PatchEmbedTraining(w, P + "patch_embed", d[0], arena);
        mbconvs = new MBConvTraining[c.depths()[0]];
        for (int j = 0; j < mbconvs.length; j++) {
            mbconvs[j] = new MBConvTraining(w, P + "layers.0.blocks." + j, d[0], d[0] * c.mbconvExpandRatio(), arena);
        }
        mergings = new PatchMergingTraining[3];
        blocks = new TinyVitBlockTraining[4][];
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                blocks[i] = new TinyVitBlockTraining[c.depths()[i]];
                for (int j = 0; j < blocks[i].length; j++) {
                    blocks[i][j] = new TinyVitBlockTraining(w, P + "layers." + i + ".blocks." + j, d[i],
                            c.numHeads()[i], c.windowSizes()[i], c.mlpRatio(), arena);
                }
            }
            if (i < 3) {
                mergings[i] = new PatchMergingTraining(w, P + "layers." + i + ".downsample", d[i], d[i + 1],
                        c.mergeStrides()[i], arena);
            }
        }
        neck = new NeckTraining(w, P + "neck", d[3], c.promptEmbedDim(), arena);
    }

    /**
     * @param images one {@code [3, S*S]} channel-first image per batch item (kept by the tape, which gives it to
     *               the arena when a releasing backward is done with it)
     * @param batchStatistics BatchNorm over the batch (training mode) or with the running statistics
     */
    Tape forward(float[][] images, boolean batchStatistics) {
        int b = images.length;
        int side = config.imageSize();
        int[] d = config.embedDims();
        float[][] x = new float[b][];
        PatchEmbedTraining.Tape pe = patchEmbed.forward(images, side, batchStatistics, x);
        for (int i = 0; i < b; i++) {
            float[] tokens = arena.take(x[i].length);
            Transpose.apply(x[i], d[0], side * side, tokens);
            arena.give(x[i]);
            x[i] = tokens;
        }
        ConvChainTraining.Tape[] mt = new ConvChainTraining.Tape[mbconvs.length];
        for (int j = 0; j < mbconvs.length; j++) {
            float[][] y = new float[b][];
            mt[j] = mbconvs[j].forward(x, side, batchStatistics, y);
            x = y;
        }
        ConvChainTraining.Tape[] gt = new ConvChainTraining.Tape[3];
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

    /**
     * Accumulates every image-encoder parameter's gradient from dLoss/dembedding (overwritten) into {@code g}.
     *
     * @param release drop each layer's tape once its gradients are done, giving its maps to the arena (the tape
     *                cannot be differentiated again)
     * @throws IllegalStateException when the tape was released by an earlier backward pass
     */
    void backward(Tape t, float[][] dEmbedding, GradientSums g, boolean release) {
        if (t.spent) {
            throw new IllegalStateException("this pass' tape was released by its backward pass");
        }
        t.spent = release;
        int b = t.batch();
        int side = config.imageSize();
        int[] d = config.embedDims();
        float[][] dx = neck.backward(t.neck, dEmbedding, g, release);
        if (release) {
            t.neck = null;
        }
        for (int i = 2; i >= 0; i--) {
            TinyVitBlockTraining[] stage = blocks[i + 1];
            for (int j = stage.length - 1; j >= 0; j--) {
                float[][] next = stage[j].backward(t.blocks[i + 1][j], dx, g, release);
                arena.give(dx);
                dx = next;
                if (release) {
                    t.blocks[i + 1][j] = null;
                }
            }
            float[][] next = mergings[i].backward(t.mergings[i], dx, g, release);
            arena.give(dx);
            dx = next;
            if (release) {
                t.mergings[i] = null;
            }
        }
        for (int j = mbconvs.length - 1; j >= 0; j--) {
            float[][] next = mbconvs[j].backward(t.mbconvs[j], dx, g, release);
            arena.give(dx);
            dx = next;
            if (release) {
                t.mbconvs[j] = null;
            }
        }
        for (int i = 0; i < b; i++) {
            float[] chw = arena.take(dx[i].length);
            Transpose.apply(dx[i], side * side, d[0], chw);
            arena.give(dx[i]);
            dx[i] = chw;
        }
        patchEmbed.backward(t.patchEmbed, dx, g, release);
        arena.give(dx);
        if (release) {
            t.patchEmbed = null;
        }
    }
}
