/**
 * Studies built on the whole chain data -> model -> loss -> optim -> train -> metrics -> report: the
 * ablation study ({@link org.umedsam.analysis.AblationStudy} with its
 * {@link org.umedsam.analysis.AblationSettings} profiles: train every configuration x seed, score it on the
 * test split with {@code infer} and {@code metrics}, {@link org.umedsam.analysis.TestSetEvaluation}), loss
 * landscapes and sharpness of trained runs ({@link org.umedsam.analysis.LossLandscape},
 * {@link org.umedsam.analysis.RunLandscape}), the longer study and the study training every parameter that a
 * profile is compared with ({@link org.umedsam.analysis.LongerRuns}, {@link org.umedsam.analysis.EveryParameterRuns})
 * and preprocessing examples for the figures.
 *
 * <p>The top of the library: it imports {@code data}, {@code model}, {@code loss}, {@code train},
 * {@code infer}, {@code metrics}, {@code report} and {@code viz}; only the CLI and the notebooks use it.
 * Running many runs as processes or on a cluster is {@code analysis.grid}.
 */
package org.umedsam.analysis;
