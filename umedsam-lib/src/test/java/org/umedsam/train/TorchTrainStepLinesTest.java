package org.umedsam.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TorchTrainStepBenchmark}'s reading of the PyTorch script's step lines, its settling warning and its choice of
 * PyTorch's allocator.
 */
class TorchTrainStepLinesTest {

    @Test
    void readsTheSecondsOfAStepLine() {
        assertThat(TorchTrainStepBenchmark.stepSeconds("TORCH step 3 mode=plain 11.56 s (cpu 21.09 s)")).isEqualTo(11.56);
        assertThat(TorchTrainStepBenchmark.stepSeconds("  TORCH step 12 mode=sam 7.5 s (cpu 14.0 s)")).isEqualTo(7.5);
    }

    @Test
    void refusesAnotherLine() {
        assertThatThrownBy(() -> TorchTrainStepBenchmark.stepSeconds("TORCH mode=plain preset=litemedsam"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TORCH mode=plain");
    }

    @Test
    void flagsTheSideWhoseLastStepsRanFasterThanItsMean() {
        var settled = new TorchTrainStepBenchmark.Figures(6.0, 11.0, 4.8, 5.9);
        var speedingUp = new TorchTrainStepBenchmark.Figures(9.67, 17.8, 5.2, 8.3);
        assertThat(TorchTrainStepBenchmark.settling(settled, settled)).isEmpty();
        assertThat(TorchTrainStepBenchmark.settling(settled, speedingUp)).contains("still speeding up: pytorch")
                .doesNotContain("java");
        assertThat(TorchTrainStepBenchmark.settling(speedingUp, speedingUp)).contains("java, pytorch");
    }

    @Test
    void preloadsTheFirstJemallocFoundAndTellsItToKeepWhatItFrees(@TempDir Path dir) throws Exception {
        Path absent = dir.resolve("absent.so");
        Path lib = Files.createFile(dir.resolve("libjemalloc.so.2"));
        var env = TorchTrainStepBenchmark.torchAllocator("jemalloc", List.of(absent, lib));
        assertThat(env).containsEntry("LD_PRELOAD", lib.toString());
        assertThat(env.get("MALLOC_CONF")).contains("dirty_decay_ms:-1");
        assertThat(TorchTrainStepBenchmark.torchAllocator("jemalloc", List.of(absent))).isEmpty();
        assertThat(TorchTrainStepBenchmark.torchAllocator("glibc", List.of(lib))).isEmpty();
        assertThatThrownBy(() -> TorchTrainStepBenchmark.torchAllocator("tcmalloc", List.of(lib)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcmalloc");
    }
}
