/**
 * ONNX export of LiteMedSAM for deployment outside the JVM: {@link org.umedsam.model.onnx.OnnxExport} writes the
 * image encoder and the prompt encoder + mask decoder (dynamic box count) as two ONNX models, opset 17, BatchNorm
 * folded, at a model's current weights.
 *
 * <p>The files are written with ONNX's own protobuf schema ({@code src/main/proto/onnx.proto}, ONNX 1.12,
 * Apache-2.0), compiled to Java at build time (package {@code onnx}). {@code OnnxGraph} builds a graph
 * (values, initializers, nodes and shared blocks); {@code EncoderExport} and {@code DecoderExport} follow the
 * SameDiff graphs of {@code org.umedsam.model} op for op; the weights are read and BatchNorm folded by the CPU engine's own
 * {@code StateDictWeights} and {@code FoldedConv}, so the export runs the weights the engine runs.
 *
 * <p>A leaf beside the chain data -> model -> loss -> optim -> train -> metrics -> report: it reads a
 * {@code model} and writes files; only the CLI's {@code umedsam export} uses it.
 */
package org.umedsam.model.onnx;
