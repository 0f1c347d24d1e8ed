package org.umedsam.model.cpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.umedsam.BenchmarkSupport;

import java.util.concurrent.ForkJoinPool;

/**
 * Whether this machine runs the engine's two halves of a parallel loop side by side: {@link ChunkedParallel}
 * forks two chunks of a fixed busy time each (a spin on the clock, so a chunk's length does not depend on the
 * CPU's speed), and the fork's wall time over one chunk's time is printed: 1 means side by side, 2 one after
 * the other. Each chunk length is timed two ways: within a busy stretch (0.3 ms of the caller's own work
 * between forks, as in a decode) and in 10 forks right after 50 ms asleep (as a decode after idle time).
 *
 * <p>Why: a 1-box mask decode runs 22 parallel loops in about 25 ms, most shorter than a millisecond, and it
 * took about 10 ms more after 50 ms idle than back to back on the 2-core VM of 2026-12-06, whose guest kernel has
 * a scheduler setting of its own ({@code /proc/sys/kernel/sched_vcpu_pack}, printed). There, in three runs, chunks
 * of 0.2, 0.5 and 1 ms ran one after the other after 50 ms asleep (2.08 to 2.12, 2.03, 2.02) and chunks of 2 ms
 * side by side (1.04 to 1.06); within a busy stretch 0.2 ms chunks gave 1.35 to 2.12 and longer ones 1.03 to 1.17
 * ({@code docs/speed-history.md}). A machine that prints about 1 in every row runs short loops in parallel after
 * idle time too.
 *
 * <p>{@code mvn -B -o -pl umedsam-lib test -Dtest=ForkLatencyBenchmark -Dgroups=benchmark -DexcludedGroups=none}
 */
@Tag("benchmark")
class ForkLatencyBenchmark {

    private static final long[] CHUNK_MICROS = {200, 500, 1000, 2000};
    private static volatile double sink;

    @Test
    void forkAfterIdle() throws Exception {
        System.out.printf("BENCH fork latency: %d processors, common pool parallelism %d; sched_vcpu_pack %s;"
                        + " load %s%n", Runtime.getRuntime().availableProcessors(),
                ForkJoinPool.getCommonPoolParallelism(), vcpuPack(), BenchmarkSupport.loadAverage());
        for (long us : CHUNK_MICROS) {
            fork(us); // warm-up: the JIT and the pool's worker
        }
        for (long us : CHUNK_MICROS) {
            double busy = busyStretch(us, 200);
            double idle = afterSleep(us, 30, 10);
            System.out.printf("BENCH fork of two %4d us chunks: wall over one chunk, median: within a busy stretch"
                    + " %.2f; the first 10 forks after 50 ms asleep %.2f%n", us, busy, idle);
        }
        System.out.printf("BENCH load at end %s%n", BenchmarkSupport.loadAverage());
    }

    /** Median fork wall over one chunk, {@code forks} forks each after 0.3 ms of the caller's own work. */
    private static double busyStretch(long chunkMicros, int forks) {
        double[] r = new double[forks];
        for (int i = 0; i < forks; i++) {
            spin(300_000);
            r[i] = fork(chunkMicros);
        }
        return BenchmarkSupport.median(r);
    }

    /** Median fork wall over one chunk, the first {@code perSleep} forks after each of {@code sleeps} sleeps. */
    private static double afterSleep(long chunkMicros, int sleeps, int perSleep) throws InterruptedException {
        double[] r = new double[sleeps * perSleep];
        for (int s = 0; s < sleeps; s++) {
            Thread.sleep(50);
            for (int i = 0; i < perSleep; i++) {
                spin(300_000);
                r[s * perSleep + i] = fork(chunkMicros);
            }
        }
        return BenchmarkSupport.median(r);
    }

    /** One fork of two chunks of {@code chunkMicros}; its wall time over one chunk's. */
    private static double fork(long chunkMicros) {
        long t0 = System.nanoTime();
        // cost per item large enough that ChunkedParallel forks
        ChunkedParallel.parallel(2, 1 << 20, (from, to) -> {
            for (int i = from; i < to; i++) {
                spin(chunkMicros * 1000);
            }
        });
        return (System.nanoTime() - t0) / 1e3 / chunkMicros;
    }

    /** Busy for {@code nanos} of wall time. */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        double s = 0;
        while (System.nanoTime() < end) {
            s += Math.sqrt(s + 1);
        }
        sink = s;
    }

    private static String vcpuPack() {
        // one read with a whole buffer: this proc file answers a 1-byte read with its first digit only
        try (java.io.InputStream in = new java.io.FileInputStream("/proc/sys/kernel/sched_vcpu_pack")) {
            byte[] b = new byte[64];
            int n = in.read(b);
            return n <= 0 ? "(empty)" : new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (Exception e) {
            return "(none)";
        }
    }
}
