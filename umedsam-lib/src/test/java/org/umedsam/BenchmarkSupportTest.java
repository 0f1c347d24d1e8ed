package org.umedsam;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link BenchmarkSupport}'s sorting of threads by kind and its readings of this process. */
class BenchmarkSupportTest {

    @Test
    void sortsHotSpotsCompilerAndCollectorThreadsApartFromTheRest() {
        assertThat(BenchmarkSupport.threadKind("C2 CompilerThre")).isZero();
        assertThat(BenchmarkSupport.threadKind("C1 CompilerThre")).isZero();
        assertThat(BenchmarkSupport.threadKind("G1 Conc#0")).isEqualTo(1);
        assertThat(BenchmarkSupport.threadKind("GC Thread#1")).isEqualTo(1);
        assertThat(BenchmarkSupport.threadKind("G1 Refine#0")).isEqualTo(1);
        assertThat(BenchmarkSupport.threadKind("java")).isEqualTo(2);
        assertThat(BenchmarkSupport.threadKind("umedsam-spinnin")).isEqualTo(2);
        assertThat(BenchmarkSupport.threadKind("ForkJoinPool.co")).isEqualTo(2);
    }

    @Test
    void countsThisThreadsWorkAmongTheOtherThreads() {
        BenchmarkSupport.ThreadTimes before = BenchmarkSupport.threadTimes();
        Assumptions.assumeTrue(before != null, "no /proc/self/task here");
        long end = System.nanoTime() + 50_000_000L;
        double x = 0;
        while (System.nanoTime() < end) {
            x += Math.sqrt(x + 1);
        }
        BenchmarkSupport.ThreadTimes after = BenchmarkSupport.threadTimes();
        assertThat(x).isPositive();
        assertThat(after.otherCpu() - before.otherCpu()).as("CPU ns of the other threads").isGreaterThan(20_000_000L);
    }
}
