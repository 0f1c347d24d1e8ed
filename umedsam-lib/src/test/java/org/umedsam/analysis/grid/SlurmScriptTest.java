package org.umedsam.analysis.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SLURM job scripts, submission records and queue listings, without a cluster (the real one: test-local-cluster). */
class SlurmScriptTest {
    @TempDir
    Path tmp;

    private GridStudy study() {
        return new GridStudy("smoke", tmp.resolve("data"), tmp.resolve("configs"), tmp.resolve("it's runs"));
    }

    private TaskLauncher launcher() {
        return new TaskLauncher("java", List.of("-Xmx2g"), tmp.resolve("umedsam.jar"));
    }

    @Test
    void arrayScriptHasOneCasePerUnfinishedRunAndTheRequestedResources() throws Exception {
        GridStudy s = study();
        List<GridRun> runs = List.of(s.grid().get(1));
        SlurmOptions o = new SlurmOptions("gpu,cpu", 4, "6G", "1-00:00:00", List.of("#SBATCH --qos=short", "--account=lab"), "java");
        String script = SlurmScript.array(s, launcher(), o, runs);
        assertThat(script).startsWith("#!/bin/bash\n")
                .contains("#SBATCH --job-name=umedsam-smoke-runs\n", "#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=6G\n",
                        "#SBATCH --time=1-00:00:00\n", "#SBATCH --requeue\n", "#SBATCH --partition=gpu,cpu\n",
                        "#SBATCH --qos=short\n", "#SBATCH --account=lab\n",
                        "threads=\"${SLURM_CPUS_PER_TASK:-4}\"\n", "export OMP_NUM_THREADS=\"$threads\"")
                .contains("  1) exec 'java' \"-XX:ActiveProcessorCount=$threads\" '-Xmx2g' '-jar'")
                .contains("'ablations' 'run-one' '--config' 'full' '--seed' '0' '--profile' 'smoke'")
                .contains("'" + s.runs().toString().replace("'", "'\\''") + "'")
                .doesNotContain("  0) ");
        assertThat(SlurmScript.arraySpec(s.grid())).isEqualTo("0,1");
        Path f = tmp.resolve("runs.sbatch");
        Files.writeString(f, script);
        Process p = new ProcessBuilder("bash", "-n", f.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    @Test
    void finishScriptRunsTheFinishTaskWithItsFigureOptions() {
        GridStudy s = study();
        String script = SlurmScript.single(s, launcher(), SlurmOptions.defaults(),
                new GridTask.Finish(tmp.resolve("figs"), 100));
        assertThat(script).contains("#SBATCH --job-name=umedsam-smoke-finish\n", "'finish' '--dpi' '100' '--figures'")
                .doesNotContain("--partition");
    }

    @Test
    void optionsRejectWhatSbatchWouldMisread() {
        assertThatThrownBy(() -> new SlurmOptions("", 2, "8 GB", "1:00:00", List.of(), "java"))
                .hasMessageContaining("memory");
        assertThatThrownBy(() -> new SlurmOptions("", 2, "8G", "two hours", List.of(), "java")).hasMessageContaining("time");
        assertThatThrownBy(() -> new SlurmOptions("", 2, "8G", "60", List.of("--qos=a\n#SBATCH --x"), "java"))
                .hasMessageContaining("one option");
        assertThatThrownBy(() -> new SlurmOptions("", 0, "8G", "60", List.of(), "java")).hasMessageContaining("cpus");
        assertThat(new SlurmOptions(" p ", 1, "500M", "30", List.of(" #SBATCH  --qos=x "), "java").extraLines())
                .containsExactly("--qos=x");
    }

    @Test
    void submissionsAreAppendedAndTheLastOneRead() throws IOException {
        Path dir = tmp.resolve("slurm");
        assertThat(SlurmSubmission.last(dir)).isNull();
        new SlurmSubmission(Instant.parse("2026-01-01T00:00:00Z"), "10", "11", "12", List.of(0, 1)).append(dir);
        SlurmSubmission second = new SlurmSubmission(Instant.parse("2026-01-02T00:00:00Z"), "", "", "20", List.of());
        second.append(dir);
        assertThat(SlurmSubmission.last(dir)).isEqualTo(second);
        assertThat(second.jobIds()).containsExactly("20");
        Files.writeString(dir.resolve(SlurmSubmission.FILE), "garbage\n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> SlurmSubmission.last(dir)).hasMessageContaining(SlurmSubmission.FILE)
                .hasMessageContaining("line 3");
    }

    @Test
    void queueListingsKeepOnlyTheGridsJobs() {
        Map<String, String> out = new HashMap<>();
        SlurmQueue.parse("11_0|RUNNING\n11_1|PENDING\n12|CANCELLED by 0\n99|RUNNING\nnoise\n", List.of("11", "12"), out);
        assertThat(out).containsExactlyInAnyOrderEntriesOf(Map.of("11_0", "RUNNING", "11_1", "PENDING", "12", "CANCELLED"));
        assertThat(SlurmQueue.isActive("PENDING")).isTrue();
        assertThat(SlurmQueue.isActive("CANCELLED")).isFalse();
    }
}
