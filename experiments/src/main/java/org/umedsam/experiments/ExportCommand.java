package org.umedsam.experiments;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.onnx.OnnxExport;
import org.umedsam.train.InitialWeights;
import org.umedsam.train.LiteMedSamModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code umedsam export --onnx}: writes a model preset with given weights as two ONNX models, the image
 * encoder and the prompt encoder + mask decoder (dynamic box count), for ONNX Runtime and other ONNX
 * runtimes ({@link OnnxExport}).
 */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        description = {
                "Exports LiteMedSAM as ONNX (opset 17, BatchNorm folded): --output/" + OnnxExport.ENCODER_FILE
                        + " (image [1,3,S,S] -> image_embeddings [1,E,S/4,S/4]) and --output/" + OnnxExport.DECODER_FILE
                        + " (image_embeddings, boxes [num_boxes,4] -> low_res_masks [num_boxes,1,S,S] logits, "
                        + "iou_predictions [num_boxes,1]); num_boxes is dynamic.",
                "Weights: an upstream .pth state dict (e.g. lite_medsam.pth), a umedsam model file or a run's .ckpt, "
                        + "of the --preset's shapes."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--onnx", required = true, description = "export as ONNX (the one format so far)")
    boolean onnx;

    @Option(names = "--preset", paramLabel = "PRESET", defaultValue = "litemedsam",
            description = "model preset: small or litemedsam (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "model weights (.pth, .ckpt or a umedsam model file); without it, the preset's random "
                    + "initialisation from --seed (for trying a deployment, not for use)")
    Path weights;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random weights when --weights is absent "
            + "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "folder for the two .onnx files")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        LiteMedSam model;
        OnnxExport.Exported files;
        try {
            model = LiteMedSamModel.create(preset, seed);
            if (weights != null) {
                InitialWeights.load(new LiteMedSamModel(model, false), weights);
            } else {
                err.println("no --weights: exporting the " + preset + " preset's random initialisation (seed " + seed + ")");
            }
            files = OnnxExport.write(model, output);
        } catch (IllegalArgumentException | java.io.IOException e) {
            err.println("export: " + e.getMessage());
            err.flush();
            return 1;
        }
        err.flush();
        ModelConfig c = model.config();
        int s = c.imageSize();
        int e = c.promptEmbedDim();
        int g = c.embeddingSize();
        out.printf("%s (%.1f MB): %s [1, 3, %d, %d] -> %s [1, %d, %d, %d]%n", files.encoder(), mb(files.encoder()),
                OnnxExport.IMAGE, s, s, OnnxExport.IMAGE_EMBEDDINGS, e, g, g);
        out.printf("%s (%.1f MB): %s [1, %d, %d, %d], %s [%s, 4] -> %s [%s, 1, %d, %d], %s [%s, 1]%n", files.decoder(),
                mb(files.decoder()), OnnxExport.IMAGE_EMBEDDINGS, e, g, g, OnnxExport.BOXES, OnnxExport.NUM_BOXES,
                OnnxExport.LOW_RES_MASKS, OnnxExport.NUM_BOXES, c.maskSize(), c.maskSize(), OnnxExport.IOU_PREDICTIONS,
                OnnxExport.NUM_BOXES);
        out.printf("exported %s preset (%,d parameters, weights: %s) in %.2f s%n", preset, model.parameterCount(),
                weights == null ? "random, seed " + seed : weights, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return 0;
    }

    private static double mb(Path p) throws java.io.IOException {
        return Files.size(p) / 1e6;
    }
}
