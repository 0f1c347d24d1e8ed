package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.model.LiteMedSam;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.ModelFiles;
import org.umedsam.model.onnx.OnnxExport;

/**
 * {@code umedsam export --onnx} on the small preset: the files hold the weights given (byte for byte the
 * library's export of the same model), and bad input ends in a one-line error.
 */
class ExportCommandTest {

    @Test
    void exportsTheGivenWeights(@TempDir Path tmp) throws Exception {
        LiteMedSam model = LiteMedSam.create(ModelConfig.small(), 11);
        Path weights = tmp.resolve("small.npz");
        model.save(weights);
        Path out = tmp.resolve("onnx");
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("export", "--onnx", "--preset", "small", "--weights",
                weights.toString(), "--output", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains(OnnxExport.ENCODER_FILE, OnnxExport.DECODER_FILE, "num_boxes", "small preset");
        assertThat(Files.readAllBytes(out.resolve(OnnxExport.ENCODER_FILE))).isEqualTo(OnnxExport.encoder(model));
        assertThat(Files.readAllBytes(out.resolve(OnnxExport.DECODER_FILE))).isEqualTo(OnnxExport.decoder(model));
        // different weights make a different file: the weights were read, not the preset's initialisation
        assertThat(Files.readAllBytes(out.resolve(OnnxExport.DECODER_FILE)))
                .isNotEqualTo(OnnxExport.decoder(LiteMedSam.create(ModelConfig.small(), 0)));
    }

    @Test
    void withoutWeightsExportsTheSeededInitialisationAndSaysSo(@TempDir Path tmp) throws Exception {
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("export", "--onnx", "--preset", "small", "--seed", "5",
                "--output", tmp.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("random initialisation (seed 5)");
        assertThat(Files.readAllBytes(tmp.resolve(OnnxExport.DECODER_FILE)))
                .isEqualTo(OnnxExport.decoder(LiteMedSam.create(ModelConfig.small(), 5)));
    }

    @Test
    void weightsOfAnotherPresetAreAOneLineError(@TempDir Path tmp) throws Exception {
        Path weights = tmp.resolve("small.npz");
        LiteMedSam.create(ModelConfig.small(), 1).save(weights);
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("export", "--onnx", "--preset", "litemedsam", "--weights",
                weights.toString(), "--output", tmp.resolve("out").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(r)).containsExactly("umedsam export: " + weights + ": holds a small "
                + "model, not the --preset litemedsam; leave --preset out to export what the file holds");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    /** A model file or checkpoint records its preset: --preset is not needed (and defaults to litemedsam only for .pth). */
    @Test
    void thePresetIsReadFromAModelFileOrCheckpoint(@TempDir Path tmp) throws Exception {
        LiteMedSam model = LiteMedSam.create(ModelConfig.small(), 7);
        Path weights = tmp.resolve("small.npz");
        model.save(weights);
        Map<String, NpyArray> ckpt = new LinkedHashMap<>();
        for (Map.Entry<String, NpyArray> e : Npz.read(weights).entrySet()) {
            if (!e.getKey().equals(ModelFiles.CONFIG_ENTRY)) {
                ckpt.put(ModelFiles.PARAMETERS_PREFIX + e.getKey(), e.getValue());
            }
        }
        Path best = tmp.resolve("best.ckpt");
        Npz.write(best, ckpt, false);
        for (Path w : new Path[] {weights, best}) {
            Path out = tmp.resolve("onnx-" + w.getFileName());
            EvaluateCommandTest.Run r = EvaluateCommandTest.run("export", "--onnx", "--weights", w.toString(), "--output",
                    out.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("exported small preset");
            assertThat(Files.readAllBytes(out.resolve(OnnxExport.DECODER_FILE))).isEqualTo(OnnxExport.decoder(model));
        }
    }

    @Test
    void aSecondExportKeepsTheFilesUnlessOverwriteIsGiven(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("onnx");
        String[] args = {"export", "--onnx", "--preset", "small", "--seed", "1", "--output", out.toString()};
        assertThat(EvaluateCommandTest.run(args).exit()).isZero();
        byte[] decoder = Files.readAllBytes(out.resolve(OnnxExport.DECODER_FILE));
        EvaluateCommandTest.Run again = EvaluateCommandTest.run("export", "--onnx", "--preset", "small", "--seed", "2",
                "--output", out.toString());
        assertThat(again.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(again)).containsExactly("umedsam export: "
                + out.resolve(OnnxExport.ENCODER_FILE) + " already exists (and 1 more outputs); pass --overwrite to "
                + "replace them");
        assertThat(Files.readAllBytes(out.resolve(OnnxExport.DECODER_FILE))).isEqualTo(decoder);
        EvaluateCommandTest.Run forced = EvaluateCommandTest.run("export", "--onnx", "--preset", "small", "--seed", "2",
                "--output", out.toString(), "--overwrite");
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(Files.readAllBytes(out.resolve(OnnxExport.DECODER_FILE)))
                .isEqualTo(OnnxExport.decoder(LiteMedSam.create(ModelConfig.small(), 2)));
    }

    @Test
    void badInputIsOneLineWithExitCodeTwoAndCreatesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        EvaluateCommandTest.Run missing = EvaluateCommandTest.run("export", "--onnx", "--weights",
                tmp.resolve("nope.pth").toString(), "--output", out.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(missing)).containsExactly("umedsam export: " + tmp.resolve("nope.pth")
                + ": no such weights file");
        assertThat(out).doesNotExist();
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        EvaluateCommandTest.Run notFolder = EvaluateCommandTest.run("export", "--onnx", "--preset", "small", "--output",
                file.toString());
        assertThat(notFolder.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(notFolder)).containsExactly("umedsam export: --output " + file
                + ": exists and is not a folder");
        EvaluateCommandTest.Run debug = EvaluateCommandTest.run("export", "--onnx", "--preset", "small", "--output",
                file.toString(), "--debug");
        assertThat(debug.exit()).isEqualTo(2);
        assertThat(debug.err()).contains("java.io.IOException").contains("\tat org.umedsam.experiments.");
    }

    @Test
    void needsTheFormatAndAKnownPreset(@TempDir Path tmp) {
        assertThat(EvaluateCommandTest.run("export", "--output", tmp.toString()).exit()).isNotZero();
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("export", "--onnx", "--preset", "huge", "--output",
                tmp.resolve("o").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(CarelessInputCliTest.errorLines(r)).singleElement().asString().startsWith("umedsam export: ")
                .contains("unknown model preset 'huge'");
        assertThat(tmp.resolve("o")).doesNotExist();
    }
}
