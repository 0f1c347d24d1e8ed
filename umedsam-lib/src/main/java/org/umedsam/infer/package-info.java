/**
 * Inference with box prompts as the challenge's LiteMedSAM scripts do it, beside the training chain
 * (data -> model -> ... ; this package uses {@code data} and {@code model} only): a
 * {@link org.umedsam.infer.SliceSegmenter} embeds an image once and decodes any number of boxes
 * ({@link org.umedsam.infer.Predictor} for LiteMedSAM); {@link org.umedsam.infer.ImageInference} segments 2D
 * cases, {@link org.umedsam.infer.VolumePropagation} 3D cases slice by slice from the middle box, and
 * {@link org.umedsam.infer.CaseInference} runs whole case folders and writes the challenge's
 * {@code segs} files. The CLI's {@code umedsam infer} and {@code analysis.TestSetEvaluation} use it;
 * {@code metrics} scores what it writes. {@link org.umedsam.infer.InferenceTimings} says where a case's time
 * went (model, pre- and post-processing, propagation bookkeeping); {@code InferOverheadBenchmarkTest} prints it.
 */
package org.umedsam.infer;
