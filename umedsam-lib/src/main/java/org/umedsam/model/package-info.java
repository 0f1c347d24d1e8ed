/**
 * LiteMedSAM, second in data -> model -> loss -> optim -> train -> metrics -> report: the model's state,
 * shapes and files, and two engines that compute it, numerically matching the upstream PyTorch model
 * (bowang-lab/MedSAM, branch LiteMedSAM). {@link org.umedsam.model.LiteMedSam} is the entry point.
 *
 * <ul>
 *   <li>{@link org.umedsam.model.ModelConfig}: shapes; presets by name ({@code ModelConfig.named}):
 *       {@code litemedsam} (upstream, 9,791,300 parameters, 435 state-dict keys) and {@code small}.</li>
 *   <li>{@link org.umedsam.model.WeightMapping}: the upstream state-dict layout; arrays carry the upstream key
 *       names and PyTorch shapes, so {@code .pth} import and export are identities on names.</li>
 *   <li>{@link org.umedsam.model.ModelFiles}: every weights file, read and written in one place (umedsam's
 *       model {@code .npz}, upstream {@code .pth}, a training run's {@code .ckpt}, shipped models by name,
 *       {@link org.umedsam.model.ShippedModels}).</li>
 *   <li>{@link org.umedsam.model.Engine}: what an engine computes ({@code embed}, {@code decode},
 *       {@code forward(mode)} returning a {@code Pass} that has {@code backward}); {@code LiteMedSam.engine(kind)}
 *       chooses one, found through {@link java.util.ServiceLoader}, so this package imports neither engine.</li>
 *   <li>{@link org.umedsam.model.NdArrays}: float arrays between the heap and ND4J in one bulk copy each way (ND4J's
 *       own {@code Nd4j.create(float[])} and {@code data().asFloat()} copy value by value), for the engines,
 *       {@link org.umedsam.model.EmbeddingCache} and inference.</li>
 *   <li>{@code org.umedsam.model.cpu}, the engine that runs: hand-scheduled Java loops plus native sgemm for
 *       every float32 pass, inference and training (forward with tape, backward to every parameter).
 *       {@link org.umedsam.model.VectorSupport} says whether its vectorised inference kernels run (the JVM's
 *       {@code jdk.incubator.vector} module); {@link org.umedsam.model.Engine#numerics()} names the arithmetic an
 *       engine embeds with, for caches and run records.</li>
 *   <li>{@code org.umedsam.model.samediff}, the reference engine (SameDiff graphs, ND4J 1.0.0-M2.1): what the
 *       CPU engine is checked against, and what double-precision models (gradient checks) and {@code trace}
 *       run on.</li>
 *   <li>{@code org.umedsam.model.onnx}: export as two ONNX models for deployment.</li>
 * </ul>
 *
 * <p>Training contract: losses are computed outside the model ({@code loss}); the model differentiates
 * {@code sum(logits * gradLogits) + sum(iou * gradIou)} for the {@code dLoss/dLogits} and {@code dLoss/dIou}
 * it is handed. BatchNorm batch statistics come back with a training-mode forward pass and are applied
 * explicitly with {@code applyBatchNormStatistics}. Depends on {@code io} only.
 */
package org.umedsam.model;
