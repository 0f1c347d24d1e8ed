package org.umedsam.experiments;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelFiles;
import org.umedsam.model.ShippedModels;
import org.umedsam.model.onnx.OnnxExport;
import org.umedsam.train.LiteMedSamModel;
import picocli.CommandLine;
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
                "Weights: an upstream .pth state dict (e.g. lite_medsam.pth, read as --preset, default litemedsam), "
                        + "a umedsam model file, a shipped model's name or a run's .ckpt (these carry their preset; "
                        + "a --preset that disagrees is refused).",
                "Existing .onnx files in --output are kept unless --overwrite is given; the output is checked before "
                        + "the weights are loaded."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--onnx", required = true, description = "export as ONNX (the one format so far)")
    boolean onnx;

    @Option(names = "--preset", paramLabel = "PRESET",
            description = "model preset: small or litemedsam; read from --weights when it records one (model files, "
                    + "shipped models, .ckpt), else litemedsam")
    String preset;

    /** The preset of a raw .pth state dict, or of the random initialisation, when --preset is not given. */
    static final String DEFAULT_PRESET = "litemedsam";

    @Option(names = "--weights", paramLabel = "FILE",
            description = "model weights (.pth, .ckpt, a umedsam model file or a shipped model's name); without it, "
                    + "the preset's random initialisation from --seed (for trying a deployment, not for use)")
    Path weights;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random weights when --weights is absent "
            + "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "folder for the two .onnx files")
    Path output;

    @Option(names = "--overwrite", description = "replace .onnx files already in --output (default: refuse before any "
            + "work)")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // inputs first (nothing is created for a typo), then the outputs, then the long work
        ModelConfig asked = null;
        if (preset != null) {
            try {
                asked = ModelConfig.named(preset);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--preset: " + e.getMessage());
            }
        }
        Path file = null;
        if (weights != null) {
            file = ShippedModels.locate(weights);
            if (!Files.isRegularFile(file)) {
                throw new java.io.IOException(weights + ": no such weights file");
            }
        }
        boolean outputExisted = Files.exists(output);
        OutputLocations.requireWritableFolder(output, "--output");
        OutputLocations.refuseExisting(java.util.List.of(output.resolve(OnnxExport.ENCODER_FILE),
                output.resolve(OnnxExport.DECODER_FILE)), overwrite);
        long t0 = System.nanoTime();
        LiteMedSam model;
        OnnxExport.Exported files;
        try {
            model = load(file, asked, err);
            files = OnnxExport.write(model, output);
        } catch (Exception ex) {
            if (!outputExisted) {
                OutputLocations.deleteIfEmpty(output); // refused weights leave no folder behind
            }
            throw ex;
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
        out.printf("exported %s preset (%,d parameters, weights: %s) in %.2f s%n", presetName(c), model.parameterCount(),
                weights == null ? "random, seed " + seed : weights, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return 0;
    }

    /** The model to export: --weights (of its own preset, or --preset's for a .pth) or the seeded initialisation. */
    private LiteMedSam load(Path file, ModelConfig asked, PrintWriter err) throws java.io.IOException {
        LiteMedSam model;
        if (file == null) {
            String name = preset == null ? DEFAULT_PRESET : preset;
            err.println("no --weights: exporting the " + name + " preset's random initialisation (seed " + seed + ")");
            model = LiteMedSamModel.create(name, seed);
        } else if (ModelFiles.Kind.of(file) == ModelFiles.Kind.PTH) {
            // a state dict records no configuration: --preset says what it is
            model = ModelFiles.load(file, asked == null ? ModelConfig.named(DEFAULT_PRESET) : asked);
        } else {
            model = ModelFiles.load(file);
            if (asked != null && !asked.equals(model.config())) {
                throw new IllegalArgumentException(weights + ": holds a " + presetName(model.config())
                        + " model, not the --preset " + preset + "; leave --preset out to export what the file holds");
            }
        }
        return model;
    }

    /** The preset name of a configuration, or "custom" when it is none of them. */
    static String presetName(ModelConfig c) {
        for (String name : ModelConfig.NAMES) {
            if (ModelConfig.named(name).equals(c)) {
                return name;
            }
        }
        return "custom";
    }

    private static double mb(Path p) throws java.io.IOException {
        return Files.size(p) / 1e6;
    }
}
