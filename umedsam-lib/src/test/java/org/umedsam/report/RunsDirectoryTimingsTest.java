package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class RunsDirectoryTimingsTest {
    @Test
    void casesThatTookEmbeddingsFromTheSharedCacheAreLeftOut(@TempDir Path runs) throws IOException {
        Path dir = runs.resolve("full-s1");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("steps.csv"), "step,loss_total\n1,1.0\n2,0.5\n");
        Files.writeString(dir.resolve(RunFiles.TIMINGS), """
                case,modality,size,objects,seconds,cached_embeddings
                a,CT,256x256,1,1.5,0
                b,CT,256x256,1,0.2,1
                c,MR,16x64x64,2,4.0,0
                """);
        Table t = RunsDirectory.read(runs).timings();
        assertThat(t.rowCount()).isEqualTo(2);
        assertThat(t.stringColumn(Table4.CASE).asList()).containsExactly("a", "c");
        assertThat(t.stringColumn(Table4.CONFIGURATION).asList()).containsExactly("full", "full");
        assertThat(t.columnNames()).doesNotContain("cached_embeddings");
    }
}
