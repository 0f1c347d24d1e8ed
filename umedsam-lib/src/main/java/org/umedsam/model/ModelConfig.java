package org.umedsam.model;

import java.util.Arrays;
import java.util.List;

/**
 * Shapes of a LiteMedSAM-architecture model: a TinyViT image encoder (LiteMedSAM's variant: 1x1 patch
 * embedding without down-sampling, MBConv stage, three window-attention stages), the SAM prompt encoder
 * for boxes and the SAM mask decoder. Follows bowang-lab/MedSAM branch LiteMedSAM
 * ({@code tiny_vit_sam.py}, {@code segment_anything/modeling}).
 *
 * @param imageSize          input side in pixels, {@code [B, 3, imageSize, imageSize]}; the embedding grid is
 *                           {@code imageSize / 4}
 * @param embedDims          channels of the four encoder stages (stage 0 is the MBConv stage)
 * @param depths             blocks per stage
 * @param numHeads           attention heads per stage (stage 0 has no attention; its entry is unused)
 * @param windowSizes        attention window side per stage (stage 0 unused)
 * @param mergeStrides       stride of the patch merging after stages 0, 1, 2 (upstream: 2, 2, 1)
 * @param mlpRatio           TinyViT MLP hidden = mlpRatio * dim
 * @param mbconvExpandRatio  MBConv hidden = ratio * dim
 * @param promptEmbedDim     prompt / transformer width; also the encoder neck output channels
 * @param transformerDepth   two-way transformer blocks
 * @param transformerMlpDim  hidden width of the transformer MLP (ReLU)
 * @param transformerHeads   heads of the two-way transformer attentions
 * @param attentionDownsample internal width divisor of the cross attentions
 * @param numMultimaskOutputs multimask outputs (mask tokens = this + 1)
 * @param iouHeadDepth       layers of the IoU MLP
 * @param iouHeadHiddenDim   hidden width of the IoU MLP
 */
public record ModelConfig(int imageSize, int[] embedDims, int[] depths, int[] numHeads, int[] windowSizes,
                          int[] mergeStrides, int mlpRatio, int mbconvExpandRatio, int promptEmbedDim,
                          int transformerDepth, int transformerMlpDim, int transformerHeads,
                          int attentionDownsample, int numMultimaskOutputs, int iouHeadDepth,
                          int iouHeadHiddenDim) {

    /** BatchNorm epsilon (PyTorch default). */
    public static final double BN_EPS = 1e-5;
    /** nn.LayerNorm epsilon (PyTorch default). */
    public static final double LN_EPS = 1e-5;
    /** SAM's LayerNorm2d epsilon. */
    public static final double LN2D_EPS = 1e-6;

    public ModelConfig {
        if (embedDims.length != 4 || depths.length != 4 || numHeads.length != 4 || windowSizes.length != 4) {
            throw new IllegalArgumentException("embedDims, depths, numHeads, windowSizes need 4 entries each");
        }
        if (mergeStrides.length != 3 || mergeStrides[0] * mergeStrides[1] * mergeStrides[2] != 4) {
            throw new IllegalArgumentException("mergeStrides need 3 entries multiplying to 4 (embedding grid = imageSize/4), got "
                    + Arrays.toString(mergeStrides));
        }
        if (imageSize <= 0 || imageSize % 4 != 0) {
            throw new IllegalArgumentException("imageSize must be a positive multiple of 4, got " + imageSize);
        }
        for (int i = 1; i < 4; i++) {
            if (numHeads[i] <= 0 || embedDims[i] % numHeads[i] != 0) {
                throw new IllegalArgumentException("stage " + i + ": dim " + embedDims[i] + " not divisible by heads " + numHeads[i]);
            }
            if (windowSizes[i] <= 0) {
                throw new IllegalArgumentException("stage " + i + ": window size must be positive");
            }
        }
        for (int d : depths) {
            if (d < 1) {
                throw new IllegalArgumentException("every stage needs at least one block: " + Arrays.toString(depths));
            }
        }
        if (promptEmbedDim % 8 != 0 || promptEmbedDim % transformerHeads != 0
                || (promptEmbedDim / attentionDownsample) % transformerHeads != 0) {
            throw new IllegalArgumentException("promptEmbedDim " + promptEmbedDim + " must be divisible by 8, by the heads and, "
                    + "after attention down-sampling, by the heads");
        }
        if (transformerDepth < 1 || transformerMlpDim < 1 || numMultimaskOutputs < 1 || iouHeadDepth < 2 || iouHeadHiddenDim < 1
                || mlpRatio < 1 || mbconvExpandRatio < 1) {
            throw new IllegalArgumentException("decoder sizes must be positive (iouHeadDepth >= 2)");
        }
        embedDims = embedDims.clone();
        depths = depths.clone();
        numHeads = numHeads.clone();
        windowSizes = windowSizes.clone();
        mergeStrides = mergeStrides.clone();
    }

    /** Exact upstream LiteMedSAM: 9,791,300 parameters, 435 state-dict keys. */
    public static ModelConfig liteMedSam() {
        return new ModelConfig(256, new int[]{64, 128, 160, 320}, new int[]{2, 2, 6, 2}, new int[]{2, 4, 5, 10},
                new int[]{7, 7, 14, 7}, new int[]{2, 2, 1}, 4, 4, 256, 2, 2048, 8, 2, 3, 3, 256);
    }

    /** Names of the presets {@link #named} knows, in the order the docs list them. */
    public static final List<String> NAMES = List.of("small", "litemedsam");

    /**
     * The preset of a name: {@code small} ({@link #small()}) or {@code litemedsam}
     * ({@link #liteMedSam()}). The one registry of presets: training configurations, the CLI and the
     * benchmarks name presets through it.
     *
     * @throws IllegalArgumentException naming the unknown preset and the known ones
     */
    public static ModelConfig named(String name) {
        return switch (name == null ? "" : name) {
            case "small" -> small();
            case "litemedsam" -> liteMedSam();
            default -> throw new IllegalArgumentException("unknown model preset '" + name + "', expected one of " + NAMES);
        };
    }

    /** The default is the upstream LiteMedSAM. */
    public static ModelConfig defaults() {
        return liteMedSam();
    }

    /**
     * Same architecture, about a tenth of the encoder work, for CPU experiments: stage widths
     * 32/64/96/160 with depths 1/1/2/1 (head dim 32), decoder width 128 with MLP 512 and 4 heads.
     */
    public static ModelConfig small() {
        return new ModelConfig(256, new int[]{32, 64, 96, 160}, new int[]{1, 1, 2, 1}, new int[]{1, 2, 3, 5},
                new int[]{7, 7, 14, 7}, new int[]{2, 2, 1}, 4, 4, 128, 2, 512, 4, 2, 3, 3, 128);
    }

    /** Side of the image embedding grid ({@code imageSize / 4}). */
    public int embeddingSize() {
        return imageSize / 4;
    }

    /** Side of the low-resolution mask logits ({@code 4 * embeddingSize}, = imageSize). */
    public int maskSize() {
        return 4 * embeddingSize();
    }

    /** Feature-map side at the input of stage {@code i} (0..3). */
    public int stageResolution(int i) {
        int r = imageSize;
        for (int s = 0; s < i; s++) {
            r = (r + mergeStrides[s] - 1) / mergeStrides[s];
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig c && imageSize == c.imageSize && Arrays.equals(embedDims, c.embedDims)
                && Arrays.equals(depths, c.depths) && Arrays.equals(numHeads, c.numHeads)
                && Arrays.equals(windowSizes, c.windowSizes) && Arrays.equals(mergeStrides, c.mergeStrides)
                && mlpRatio == c.mlpRatio && mbconvExpandRatio == c.mbconvExpandRatio
                && promptEmbedDim == c.promptEmbedDim && transformerDepth == c.transformerDepth
                && transformerMlpDim == c.transformerMlpDim && transformerHeads == c.transformerHeads
                && attentionDownsample == c.attentionDownsample && numMultimaskOutputs == c.numMultimaskOutputs
                && iouHeadDepth == c.iouHeadDepth && iouHeadHiddenDim == c.iouHeadHiddenDim;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[]{imageSize, Arrays.hashCode(embedDims), Arrays.hashCode(depths),
                Arrays.hashCode(numHeads), Arrays.hashCode(windowSizes), promptEmbedDim, transformerMlpDim});
    }

    @Override
    public String toString() {
        return "ModelConfig[imageSize=" + imageSize + ", embedDims=" + Arrays.toString(embedDims) + ", depths="
                + Arrays.toString(depths) + ", numHeads=" + Arrays.toString(numHeads) + ", windowSizes="
                + Arrays.toString(windowSizes) + ", mergeStrides=" + Arrays.toString(mergeStrides) + ", mlpRatio="
                + mlpRatio + ", mbconvExpandRatio=" + mbconvExpandRatio + ", promptEmbedDim=" + promptEmbedDim
                + ", transformerDepth=" + transformerDepth + ", transformerMlpDim=" + transformerMlpDim
                + ", transformerHeads=" + transformerHeads + ", attentionDownsample=" + attentionDownsample
                + ", numMultimaskOutputs=" + numMultimaskOutputs + ", iouHeadDepth=" + iouHeadDepth
                + ", iouHeadHiddenDim=" + iouHeadHiddenDim + "]";
    }
}
