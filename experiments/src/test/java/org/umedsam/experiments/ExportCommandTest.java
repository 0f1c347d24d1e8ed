package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;
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
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("export: ").contains(weights.toString()).doesNotContain("\n");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void needsTheFormatAndAKnownPreset(@TempDir Path tmp) {
        assertThat(EvaluateCommandTest.run("export", "--output", tmp.toString()).exit()).isNotZero();
        EvaluateCommandTest.Run r = EvaluateCommandTest.run("export", "--onnx", "--preset", "huge", "--output", tmp.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("unknown model preset 'huge'");
    }
}
