/**
 * The CPU engine: LiteMedSAM as hand-scheduled Java loops on heap {@code float[]} plus native sgemm
 * ({@link org.umedsam.model.cpu.Gemm}), the same computation as the SameDiff graphs of
 * {@code org.umedsam.model} at a fraction of their time and memory. {@code LiteMedSam} chooses it for
 * every float32 pass. Part of {@code model} (second in data -> model -> loss -> optim -> train -> metrics ->
 * report); imports {@code org.umedsam.model} only; {@code LiteMedSam} uses it (and {@code train}'s adapter, for
 * the tape of a training pass), and the ONNX export reads and folds weights through
 * {@code StateDictWeights} and {@code FoldedConv}.
 *
 * <ul>
 *   <li>Inference (BatchNorm folded into the convolutions): {@link org.umedsam.model.cpu.CpuImageEncoder},
 *       {@link org.umedsam.model.cpu.CpuMaskDecoder} (with its prompt encoder); one class per upstream module
 *       ({@code CpuPatchEmbed}, {@code CpuMBConv}, {@code CpuPatchMerging}, {@code CpuTinyVitBlock},
 *       {@code CpuNeck}, {@code CpuTwoWayTransformer}, ...). Decoding runs the two-way transformer through
 *       its inference schedule ({@code TwoWayTransformerInference}: cross attentions with per-head weight
 *       products made once per model, {@code TokenToImageInference}, {@code ImageToTokenInference}; token
 *       weights resident off-heap, {@code ResidentLinear}); the tape path's forward stays the reference.</li>
 *   <li>Training: {@link org.umedsam.model.cpu.CpuLiteMedSamTraining}, a forward pass that keeps its tape and
 *       the backward pass to every parameter. It composes {@code ImageEncoderTraining} (one
 *       {@code *Training} class per encoder module, each a forward with tape and a backward, and
 *       {@code Conv2dBnTraining} for BatchNorm in training or evaluation mode) with the mask decoder's backward
 *       ({@code CpuMaskDecoderGradients} and the {@code *Gradient} classes of its attentions). Memory: the
 *       tape keeps what is costly to recompute and rebuilds the rest in the backward pass, bit for bit (BatchNorm
 *       and GELU outputs, LayerNorm inputs, the MBConv stage's first two convolutions, the neck's im2col); a
 *       {@link org.umedsam.model.cpu.TapeArena} lends every map and takes it back, so a trainer's steps and SAM's
 *       two passes reuse the same arrays instead of churning the heap.</li>
 *   <li>Weight snapshots: {@link org.umedsam.model.cpu.EncoderSnapshots} keeps the evaluation-mode encoder of
 *       one weight version ({@code LiteMedSam.encoderWeightVersion()}), so BatchNorm is folded and the weights
 *       copied once per version, not per embed; the decoder and training passes snapshot at every call.</li>
 *   <li>Kernels shared by both: GELU, LayerNorm, softmax, window attention and its gradient, depthwise 3x3
 *       convolution and its gradient, training-mode BatchNorm. Inference runs its window attention through
 *       {@code WindowAttentionInference} (a vectorised softmax exp; equal to
 *       {@code WindowAttentionKernel} up to rounding), since the training gradient recomputes the training
 *       kernel's attention weights bit for bit; the three share one {@code WindowGeometry} (heads, window,
 *       scale, pair biases, the windows x heads schedule) and the forward's {@code WindowScratch}. MBConv and
 *       patch merging in training share their three-convolution chain ({@code ConvChainTraining}).</li>
 * </ul>
 *
 * <p>Parallel loops use fixed chunks and merge partial sums in chunk order
 * ({@code ChunkedParallel}), so gradients are bit-reproducible and a resumed training
 * run reaches the uninterrupted run's weights exactly.
 */
package org.umedsam.model.cpu;
