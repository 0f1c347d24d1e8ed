package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The base model's scores before fine-tuning stand first, beside the configurations', in Table 3. */
class RunsDirectoryBaseModelTest {

    private static void run(Path runs, String name, String scores) throws IOException {
        Path dir = runs.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("steps.csv"), "step,loss_total\n1,1.0\n");
        Files.writeString(dir.resolve(RunFiles.SCORES), scores);
    }

    @Test
    void theBaseModelsScoresComeFirstAsTheirOwnColumnsAndAreNotARun(@TempDir Path runs) throws IOException {
        run(runs, "baseline-s0", "case,modality,dsc,nsd\na,CT,0.8,0.9\nb,MR,0.6,0.7\n");
        run(runs, "full-s0", "case,modality,dsc,nsd\na,CT,0.7,0.8\nb,MR,0.5,0.6\n");
        Path base = runs.resolve(RunFiles.BASE_MODEL_DIR);
        Files.createDirectories(base);
        Files.writeString(base.resolve(RunFiles.SCORES), "case,modality,dsc,nsd\na,CT,0.4,0.5\nb,MR,0.2,0.3\n");

        RunsDirectory dir = RunsDirectory.read(runs);
        assertThat(dir.runs()).extracting(RunRecords::configuration).containsExactlyInAnyOrder("baseline", "full");
        assertThat(dir.scores().stringColumn(ScoreColumns.CONFIGURATION).unique().asList())
                .doesNotContain(Ordering.BASE_MODEL);

        Table t = Table3.of(dir.scoresWithBaseModel());
        assertThat(t.columnNames()).containsExactly("Modality", "base model DSC", "base model NSD",
                "baseline DSC", "baseline NSD", "full DSC", "full NSD");
        // one model, no seeds: the mean alone
        assertThat(t.stringColumn("base model DSC").asList()).containsExactly("40.00", "20.00", "30.00");
    }

    @Test
    void withoutTheFolderTheScoresAreTheRunsAlone(@TempDir Path runs) throws IOException {
        run(runs, "baseline-s0", "case,modality,dsc,nsd\na,CT,0.8,0.9\n");
        RunsDirectory dir = RunsDirectory.read(runs);
        assertThat(dir.scoresWithBaseModel().rowCount()).isEqualTo(dir.scores().rowCount());
    }

    @Test
    void theBaseModelLeadsTheOrderOfConfigurations() {
        assertThat(Ordering.configurations(List.of("full", Ordering.BASE_MODEL, "baseline", "other")))
                .containsExactly(Ordering.BASE_MODEL, "baseline", "full", "other");
    }
}
