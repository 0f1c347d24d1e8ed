/**
 * The CPU engine, {@link org.umedsam.model.cpu.CpuEngine}: LiteMedSAM as hand-scheduled Java loops on heap
 * {@code float[]} plus native sgemm ({@link org.umedsam.model.cpu.Gemm}), the same computation as the reference
 * engine's SameDiff graphs ({@code org.umedsam.model.samediff}) at a fraction of their time and memory; the
 * default engine of every float32 model. Part of {@code model} (second in data -> model -> loss -> optim -> train
 * -> metrics -> report); imports {@code org.umedsam.model} only and is reached through the
 * {@link org.umedsam.model.Engine} interface ({@code train}, {@code infer} and {@code analysis} never import it);
 * the ONNX export reads and folds weights through {@code StateDictWeights} and {@code FoldedConv}.
 *
 * <p>Names follow one rule. A class named after an upstream module ({@code ImageEncoder}, {@code TinyVitBlock},
 * {@code MaskDecoder}, {@code TwoWayTransformer}, {@code SamAttention}, ...) is its inference forward pass;
 * {@code <Module>Inference} is a faster inference schedule of a module whose plain class stays the tape path's
 * reference; {@code <Module>Training} is a forward pass that keeps its tape together with its backward pass;
 * {@code <Module>Gradient} is a backward pass kept apart from the forward that made its tape. Every tape is
 * nested in the class that builds it ({@code ImageEncoderTraining.Tape}, {@code TwoWayTransformer.Tape},
 * {@code MaskUpscaler.Tape}); no two classes here refer to each other. The rest are named for what they compute
 * or hold ({@code Gemm}, {@code Softmax}, {@code WindowAttentionKernel}, {@code TapeArena}, ...).
 *
 * <ul>
 *   <li>Inference (BatchNorm folded into the convolutions): {@link org.umedsam.model.cpu.ImageEncoder},
 *       {@link org.umedsam.model.cpu.MaskDecoder} (with its prompt encoder); one class per upstream module
 *       ({@code PatchEmbed}, {@code MBConv}, {@code PatchMerging}, {@code TinyVitBlock},
 *       {@code Neck}, {@code TwoWayTransformer}, ...). Decoding runs the two-way transformer through
 *       its inference schedule ({@code TwoWayTransformerInference}: cross attentions that project on the
 *       token side with block-diagonal head products, {@code TokenToImageInference},
 *       {@code ImageToTokenInference}; the first block's image projections made once per image embedding,
 *       {@code FirstBlockInference}, {@code ImageContext}; token weights resident off-heap,
 *       {@code ResidentLinear}, whose small token products call OpenBLAS on the calling thread instead of ND4J;
 *       image-sized sgemm operands off-heap, {@code NativeFloats}). The encoder's products whose inputs only a
 *       product reads (after a LayerNorm, fc1's GELU, a depthwise band, the neck's im2col) take them off-heap with
 *       their weights ({@code NativeLinear}), finished by an {@code Epilogue}; the tape path's
 *       forward stays the reference. Large products without a transposed left operand run as blocks of rows on
 *       the engine's Java threads, one single-threaded oneDNN call each ({@code RowParallelGemm}), so a pass
 *       never waits for OpenMP's sleeping threads; results reach ND4J, and the decoder's masks the heap, by
 *       bulk copies ({@link org.umedsam.model.NdArrays}).</li>
 *   <li>Training: {@link org.umedsam.model.cpu.LiteMedSamTraining}, a forward pass that keeps its tape and
 *       the backward pass to every parameter. It composes {@code ImageEncoderTraining} (one
 *       {@code *Training} class per encoder module, each a forward with tape and a backward, and
 *       {@code Conv2dBnTraining} for BatchNorm in training or evaluation mode) with the mask decoder's backward
 *       ({@code MaskDecoderGradient} and the {@code *Gradient} classes of its attentions). Memory: the
 *       tape keeps what is costly to recompute and rebuilds the rest in the backward pass, bit for bit (BatchNorm
 *       and GELU outputs, LayerNorm inputs, the MBConv stage's first two convolutions, the neck's im2col); a
 *       {@link org.umedsam.model.cpu.TapeArena} lends every map and takes it back, so a trainer's steps and SAM's
 *       two passes reuse the same arrays instead of churning the heap. A map that only a product reads is made
 *       where the product reads it, off-heap, with the heap path's bits: a TinyViT block's MLP hidden rows
 *       ({@code TinyVitMlpTraining}), an MBConv block's last convolution's input and a 1x1 convolution's BatchNorm
 *       input gradient, written into {@code Gemm}'s staging buffers ({@code Conv2dBnTraining.forwardStaged},
 *       {@code backwardStaged}).</li>
 *   <li>Weight snapshots: {@link org.umedsam.model.cpu.EncoderSnapshots} keeps the evaluation-mode encoder of
 *       one weight version ({@code LiteMedSam.encoderWeightVersion()}), so BatchNorm is folded and the weights
 *       copied once per version, not per embed; {@code CpuEngine} keeps inference's decoder per decoder weight
 *       version; {@code decode} and the passes that can be differentiated copy the weights at the call (SAM's
 *       perturbed weights are not announced).</li>
 *   <li>Kernels shared by both: GELU, LayerNorm, softmax, window attention and its gradient, depthwise 3x3
 *       convolution and its gradient, training-mode BatchNorm. The window attention's forward
 *       ({@code WindowAttentionKernel}, with a vectorised softmax exp) serves inference and training, and its
 *       gradient recomputes the forward's attention weights bit for bit with the same exp; the two share one
 *       {@code WindowGeometry} (heads, window, scale, pair biases, the windows x heads schedule) and the
 *       forward's {@code WindowScratch}. MBConv and
 *       patch merging in training share their three-convolution chain ({@code ConvChainTraining}).</li>
 *   <li>Vectorised inference kernels, when the JVM has the incubating Vector API
 *       ({@code --add-modules jdk.incubator.vector}; {@link org.umedsam.model.VectorSupport}):
 *       {@code VectorWindowAttention} and {@code VectorDepthwiseConv3x3}, register-blocked versions of the window
 *       attention and of the depthwise band, chosen per layer when a snapshot is built
 *       ({@code WindowAttentionForward.forInference}, {@code DepthwiseBand.forInference}); the same functions to
 *       rounding; and {@code VectorGelu}, which {@code Gelu} runs wherever a GELU is evaluated (training too):
 *       the same operations on whole vectors, the same bits; {@code VectorEpilogue}, the products' epilogues read
 *       from native memory by vector loads, one pass a row, the same bits; {@code VectorLayerNorm}, the blocks'
 *       LayerNorm rows written off-heap by vector stores, within rounding, chosen per snapshot; and
 *       {@code VectorDecoderRows}, the mask decoder's residual LayerNorms, up-scaling LayerNorm2d + GELU and mask
 *       product in place in its off-heap activations, within rounding, chosen per snapshot; and
 *       {@code VectorWindowRows} and {@code VectorDepthwiseRows}, the plain window attention's products and softmax
 *       passes and the plain depthwise convolution register-blocked with the plain loops' operations in the same
 *       order, the same bits, so training (forward and backward) runs them too; {@code VectorBatchNormRows},
 *       training's BatchNorm passes over channel-last maps, the same bits; and {@code VectorGradientRows}, the
 *       bias gradients (the same bits) and LayerNorm's backward (row means in another fixed order, within
 *       rounding). Only these classes
 *       import {@code jdk.incubator.vector}, and they are loaded only when the module is present, so the engine runs on
 *       any JDK 17.</li>
 * </ul>
 *
 * <p>Parallel loops use fixed chunks and merge partial sums in chunk order
 * ({@code ChunkedParallel}), so gradients are bit-reproducible and a resumed training
 * run reaches the uninterrupted run's weights exactly. A layer made of many short loops over independent pieces
 * (the inference MBConv's bands, the mask decoder's up-scaling) hands whole pieces to the threads instead
 * ({@code ChunkedParallel.tasks}): every loop and product a piece starts runs on its thread alone.
 */
package org.umedsam.model.cpu;
