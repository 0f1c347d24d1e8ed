package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.NdArrays;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LiteMedSAM's TinyViT image encoder, evaluation mode, as a hand-scheduled CPU forward pass on heap arrays:
 * {@code [B, 3, S, S] -> [B, E, S/4, S/4]} (upstream {@code [B, 3, 256, 256] -> [B, 256, 64, 64]}).
 * Same computation as the SameDiff {@code ImageEncoder}: patch embedding channel-first, the MBConv stage (in
 * bands of rows), patch merging and the TinyViT stages channel-last (tokens {@code [H*W, C]}), neck, with
 * every BatchNorm folded into its convolution. Large products go through {@link Gemm}; element-wise work is plain Java,
 * parallel on the common pool.
 *
 * <p>Holds a snapshot of the weights: later changes to the state dict are not seen. Thread-safe; each
 * calling thread keeps its own activation buffers for reuse (about 0.5 GB for liteMedSAM at 256 x 256).
 */
public final class ImageEncoder {

    private static final String P = "image_encoder.";

    private final ModelConfig config;
    private final PatchEmbed patchEmbed;
    private final MBConv[] mbconvs;
    /** Patch merging after stages 0, 1, 2. */
    private final PatchMerging[] mergings;
    /** TinyViT blocks of stages 1, 2, 3 (index 0 unused). */
    private final TinyVitBlock[][] blocks;
    private final Neck neck;
    /** Buffers reused across passes, one set per calling thread, released with the encoder. */
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    private ImageEncoder(ModelConfig c, StateDictWeights w) {
        this.config = c;
        int[] d = c.embedDims();
        patchEmbed = new PatchEmbed(w, P + "patch_embed", d[0]);
        mbconvs = new MBConv[c.depths()[0]];
        for (int j = 0; j < mbconvs.length; j++) {
            mbconvs[j] = new MBConv(w, P + "layers.0.blocks." + j, d[0], d[0] * c.mbconvExpandRatio());
        }
        mergings = new PatchMerging[3];
        blocks = new TinyVitBlock[4][];
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                blocks[i] = new TinyVitBlock[c.depths()[i]];
                for (int j = 0; j < blocks[i].length; j++) {
                    blocks[i][j] = new TinyVitBlock(w, P + "layers." + i + ".blocks." + j, d[i], c.numHeads()[i],
                            c.windowSizes()[i], c.mlpRatio());
                }
            }
            if (i < 3) {
                mergings[i] = new PatchMerging(w, P + "layers." + i + ".downsample", d[i], d[i + 1],
                        c.mergeStrides()[i]);
            }
        }
        neck = new Neck(w, P + "neck", d[3], c.promptEmbedDim());
    }

    /**
     * Snapshot of the current weights (upstream key names, PyTorch shapes, as {@code LiteMedSam.stateDict()}
     * returns; keys {@code image_encoder.*}), BatchNorm folded. Other keys are ignored.
     *
     * @throws IllegalArgumentException naming a missing or mis-shaped key
     */
    public static ImageEncoder of(ModelConfig config, Map<String, INDArray> stateDict) {
        OpenMpWaitPolicy.warnIfSpinning();
        if (config == null) {
            throw new IllegalArgumentException("config is null");
        }
        return new ImageEncoder(config, new StateDictWeights(stateDict));
    }

    public ModelConfig config() {
        return config;
    }

    /** {@code [B, 3, S, S]} (any data type) -> {@code [B, E, S/4, S/4]} float, S = {@code config.imageSize()}. */
    public INDArray embed(INDArray images) {
        float[] in = input(images);
        int b = (int) images.size(0);
        int s = config.imageSize();
        int e = config.promptEmbedDim();
        int g = config.embeddingSize();
        long[] shape = {b, e, g, g};
        if (b == 1) {
            return NdArrays.fromHeap(forward(in, null), e * g * g, shape);
        }
        float[] out = new float[b * e * g * g];
        for (int i = 0; i < b; i++) {
            float[] one = Arrays.copyOfRange(in, i * 3 * s * s, (i + 1) * 3 * s * s);
            System.arraycopy(forward(one, null), 0, out, i * e * g * g, e * g * g);
        }
        return NdArrays.fromHeap(out, out.length, shape);
    }

    /**
     * For parity: {@code encoder_layer0..3} (stage outputs as tokens {@code [B, H*W, C]}) and
     * {@code image_embedding} {@code [B, E, S/4, S/4]}, as {@code LiteMedSam.trace()} names them.
     */
    public Map<String, INDArray> trace(INDArray image) {
        float[] in = input(image);
        int b = (int) image.size(0);
        int s = config.imageSize();
        int e = config.promptEmbedDim();
        int g = config.embeddingSize();
        int[] sides = new int[4];
        Map<String, INDArray> out = new LinkedHashMap<>();
        float[][][] all = new float[b][][];
        for (int i = 0; i < b; i++) {
            float[] one = Arrays.copyOfRange(in, i * 3 * s * s, (i + 1) * 3 * s * s);
            float[][] st = new float[5][];
            // stage buffers are reused by the next pass: keep copies
            float[] emb = forward(one, (stage, tokens, side) -> {
                if (stage >= 0 && stage < 4) {
                    int ch = config.embedDims()[Math.min(3, stage + 1)];
                    st[stage] = Arrays.copyOf(tokens, side * side * ch);
                    sides[stage] = side;
                }
            });
            st[4] = Arrays.copyOf(emb, e * g * g);
            all[i] = st;
        }
        int[] d = config.embedDims();
        for (int k = 0; k < 4; k++) {
            int len = sides[k] * sides[k];
            int ch = d[Math.min(3, k + 1)];
            float[] cat = new float[b * len * ch];
            for (int i = 0; i < b; i++) {
                System.arraycopy(all[i][k], 0, cat, i * len * ch, len * ch);
            }
            out.put("encoder_layer" + k, Nd4j.create(cat, new long[]{b, len, ch}, 'c'));
        }
        float[] emb = new float[b * e * g * g];
        for (int i = 0; i < b; i++) {
            System.arraycopy(all[i][4], 0, emb, i * e * g * g, e * g * g);
        }
        out.put("image_embedding", Nd4j.create(emb, new long[]{b, e, g, g}, 'c'));
        return out;
    }

    /** Observer of stage outputs: stage 0..3 tokens {@code [side*side, C]}, or 4 for the neck. */
    interface StageListener {
        void stage(int stage, float[] tokens, int side);
    }

    /**
     * One image {@code [3, S*S]} channel-first -> embedding {@code [E, (S/4)^2]}; {@code listener} (may be
     * null) sees each stage output (0..3, channel-last) and is called with stage -1 after the patch embedding
     * (channel-last too) and 4 after the neck, which timing uses. The arrays it sees and the one returned are
     * workspace buffers, valid until the next pass on this thread (possibly longer than the data they hold).
     */
    float[] forward(float[] image, StageListener listener) {
        int side = config.imageSize();
        Workspace ws = workspaces.get();
        float[] tokens = patchEmbed.forward(image, side * side, ws);
        notify(listener, -1, tokens, side);
        for (MBConv m : mbconvs) {
            tokens = m.forward(tokens, side, ws);
        }
        tokens = mergings[0].forward(tokens, side, ws);
        side = mergings[0].outputSide(side);
        notify(listener, 0, tokens, side);
        for (int i = 1; i < 4; i++) {
            for (TinyVitBlock blk : blocks[i]) {
                tokens = blk.forward(tokens, side, ws);
            }
            if (i < 3) {
                tokens = mergings[i].forward(tokens, side, ws);
                side = mergings[i].outputSide(side);
            }
            notify(listener, i, tokens, side);
        }
        float[] emb = neck.forward(tokens, side, ws);
        notify(listener, 4, emb, side);
        return emb;
    }

    private static void notify(StageListener l, int stage, float[] x, int side) {
        if (l != null) {
            l.stage(stage, x, side);
        }
    }

    private float[] input(INDArray images) {
        int s = config.imageSize();
        if (images == null) {
            throw new IllegalArgumentException("images are null");
        }
        long[] shape = images.shape();
        if (shape.length != 4 || shape[0] < 1 || shape[1] != 3 || shape[2] != s || shape[3] != s) {
            throw new IllegalArgumentException("images must be [B, 3, " + s + ", " + s + "] with B >= 1, got "
                    + Arrays.toString(shape));
        }
        return NdArrays.toHeap(images);
    }
}
