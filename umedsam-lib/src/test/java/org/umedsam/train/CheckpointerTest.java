package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.optim.AdamW;
import org.umedsam.optim.ReduceLrOnPlateau;

/** {@link Checkpointer}: last and best written after the records, the whole state put back, mismatches named. */
class CheckpointerTest {
    @TempDir
    Path runs;

    private final TrainConfig config = TrainerTest.tiny(false);

    private Checkpointer checkpointer(RunFolder folder, TrainableModel m, INDArray logSigma, int count) {
        return new Checkpointer(folder, m, logSigma, count, new AdamW(config.adamW(), k -> false, Map.of()),
                new ReduceLrOnPlateau(config.plateau()), config.toJson());
    }

    @Test
    void savesLastAndBestAndRestoresTheStateAndPosition() throws Exception {
        RunFolder folder = RunFolder.createFresh(runs, "r");
        RunRecord record = new RunRecord(folder.dir(), config.buildLoss().termNames(), true);
        record.addStep(1, 0, 0.01, 1.0, 0.5, Map.of("dice", 0.1, "bce", 0.1, "iou", 0.1, "sd", 0.2),
                new double[] {1, 1, 1, 1}, 0.1);
        TinyPixelModel a = new TinyPixelModel(1);
        INDArray sigmas = Nd4j.createFromArray(0.1, 0.2, 0.3, 0.4);
        Checkpointer ca = checkpointer(folder, a, sigmas, 4);
        RunPosition at = new RunPosition(3, 1, 1, 0.7, 2.5, 0.9);
        ca.save(at, false, record);
        assertThat(folder.lastCheckpoint()).isRegularFile();
        assertThat(folder.bestCheckpoint()).doesNotExist();
        assertThat(Files.readString(folder.dir().resolve(RunRecord.STEPS_FILE))).contains("0.5");
        ca.save(at, true, record);
        assertThat(folder.bestCheckpoint()).isRegularFile();

        TinyPixelModel b = new TinyPixelModel(2);
        INDArray other = Nd4j.zeros(DataType.DOUBLE, 4);
        RunPosition back = checkpointer(folder, b, other, 4).restore(Checkpoint.read(folder.lastCheckpoint()));
        assertThat(back).isEqualTo(at);
        assertThat(other.toDoubleVector()).containsExactly(0.1, 0.2, 0.3, 0.4);
        a.parameters().forEach((k, v) -> assertThat(b.parameters().get(k)).as(k).isEqualTo(v));
    }

    @Test
    void namesWhatDoesNotMatch() throws Exception {
        RunFolder folder = RunFolder.createFresh(runs, "r");
        RunRecord record = new RunRecord(folder.dir(), config.buildLoss().termNames(), true);
        checkpointer(folder, new TinyPixelModel(1), Nd4j.zeros(DataType.DOUBLE, 4), 4)
                .save(RunPosition.start(), false, record);
        Checkpoint c = Checkpoint.read(folder.lastCheckpoint());
        TinyPixelModel extra = new TinyPixelModel(1);
        extra.parameters().put("mask_decoder.extra", Nd4j.zeros(DataType.FLOAT, 1));
        assertThatThrownBy(() -> checkpointer(folder, extra, Nd4j.zeros(DataType.DOUBLE, 4), 4).restore(c))
                .hasMessage("checkpoint parameters do not match the model: missing [mask_decoder.extra], unexpected []");
        assertThatThrownBy(() -> checkpointer(folder, new TinyPixelModel(1), null, 0).restore(c))
                .hasMessage("checkpoint has 4 log-sigmas, the loss 0");
        assertThatThrownBy(() -> checkpointer(folder, new TinyPixelModel(1), null, 2))
                .hasMessageContaining("log-sigmas");
    }
}
