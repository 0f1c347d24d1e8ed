package org.umedsam;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * What the benchmarks share: wall times of repeated runs, their median, and the machine state they print
 * beside them (load average, peak resident memory, process CPU time), so a figure can be read against how
 * busy the machine was. Linux {@code /proc} files; "n/a" where one cannot be read.
 */
public final class BenchmarkSupport {

    private BenchmarkSupport() {
    }

    /** Wall seconds of {@code reps} runs of {@code r} after {@code warmups} unmeasured ones, sorted ascending. */
    public static double[] sortedSeconds(int warmups, int reps, Runnable r) {
        for (int i = 0; i < warmups; i++) {
            r.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t;
    }

    /**
     * Runs the contenders in turn, unmeasured, for at least {@code rounds} rounds and at least {@code seconds} of
     * wall time; returns the rounds run. Why a time floor: the JIT compiles the hot loops of a short call (a
     * decoder box, about 0.05 s) only after tens of calls, so a few warm-up calls left the first measured
     * calls at up to twice the steady time (1 box: median 0.059 s, minimum 0.033 s), while ONNX Runtime's
     * native code needs no warm-up.
     */
    public static int warmUp(int rounds, double seconds, Runnable... contenders) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        int done = 0;
        while (done < rounds || System.nanoTime() < end) {
            for (Runnable c : contenders) {
                c.run();
            }
            done++;
        }
        return done;
    }

    /**
     * Runs {@code task} back to back, unmeasured, for at least {@code seconds} of wall time and 20 calls; returns the
     * wall seconds of every call, in order, so that a caller can print how far the first calls were from the last.
     * Why: on a 2-core host the JIT's C2 compiler shares the cores with the work, and the CPU decoder's 1-box call
     * took 25 to 31 ms for its first 10 to 15 s in a fresh JVM and 17 to 19 ms after (2-core Zen 5 EPYC,
     * 2026-12-05): a warm-up of 5 s interleaved with ONNX Runtime measured the former.
     */
    public static double[] warmUpAlone(double seconds, Callable<?> task) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        double[] t = new double[64];
        int n = 0;
        while (n < 20 || System.nanoTime() < end) {
            long t0 = System.nanoTime();
            task.call();
            if (n == t.length) {
                t = Arrays.copyOf(t, 2 * n);
            }
            t[n++] = (System.nanoTime() - t0) / 1e9;
        }
        return Arrays.copyOf(t, n);
    }

    /** The median of the first and of the last {@code k} values of {@code t}, and how many there are, as a phrase. */
    public static String firstAndLast(double[] t, int k) {
        int m = Math.min(k, t.length);
        return String.format("%d calls, median of the first %d %.4f s, of the last %d %.4f s", t.length, m,
                median(Arrays.copyOfRange(t, 0, m)), m, median(Arrays.copyOfRange(t, t.length - m, t.length)));
    }

    /**
     * Training benchmarks' warm-up: how many steps run before the counted ones, {@code -Dbench.warmup} (default 3),
     * the same for this project's trainer and for PyTorch's step beside it. Why 3: the JVM is still compiling
     * in the second to fourth steps (LiteMedSAM at batch 2 on a 2-core Zen 4, 2026-12-06: steps 2 to 10 took
     * 7.65 6.52 6.02 6.38 6.05 5.81 5.59 6.10 5.94 s, and C2's threads held about 5 % of the CPU samples of steps 2 to
     * 4), while a training run of many epochs sees the steady state.
     */
    public static int trainingWarmupSteps() {
        int w = Integer.getInteger("bench.warmup", 3);
        if (w < 1) {
            throw new IllegalArgumentException("bench.warmup must be at least 1 (the first step builds the graph): " + w);
        }
        return w;
    }

    /** The mean of {@code seconds[warmup, length)}: the counted steps of a training benchmark. */
    public static double countedMean(double[] seconds, int warmup) {
        if (warmup >= seconds.length) {
            throw new IllegalArgumentException(seconds.length + " steps recorded, " + warmup + " of them warm-up");
        }
        double sum = 0;
        for (int i = warmup; i < seconds.length; i++) {
            sum += seconds[i];
        }
        return sum / (seconds.length - warmup);
    }

    /** Every step's seconds, warm-up included, as {@code "13.76 7.65 6.52"}: warm-up and drift beside the mean. */
    public static String eachStep(double[] seconds) {
        StringBuilder b = new StringBuilder();
        for (double x : seconds) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(java.util.Locale.ROOT, "%.2f", x));
        }
        return b.toString();
    }

    /** The middle value (upper middle for an even count). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** {@code /proc/loadavg} as is: 1, 5 and 15 minute load averages, runnable/total threads, last pid. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    /** A field of {@code /proc/self/status}, e.g. {@code VmHWM} (peak resident memory): {@code "7364320 kB"}. */
    public static String procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1).trim();
                }
            }
        } catch (IOException e) {
            return "n/a";
        }
        return "n/a";
    }

    /**
     * Bytes allocated on the Java heap by all the JVM's threads so far (HotSpot's per-thread counters). A step or
     * call that allocates far more than usual ran a Vector API kernel boxed: C2 (JDK 17) sometimes compiles the
     * kernels without their intrinsics, each vector operation then allocating on the heap and running several
     * times slower (up to 10 JVMs in 24 for the training window attention alone before {@code VectorSupport}'s
     * warm-up, 0 in 16 after it, 2026-12-07).
     */
    public static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    /**
     * One reading of this process's threads from {@code /proc/self/task/<tid>/comm} and {@code schedstat}, in
     * nanoseconds: CPU time of all threads, time they were runnable but waited for a CPU, and the CPU time of
     * HotSpot's JIT compiler threads and of its garbage collector's threads among them (on 2 cores a compiler or
     * collector thread running during a timed call takes a CPU from it). Threads that end between two readings drop
     * out of the second.
     */
    public record ThreadTimes(long cpu, long waitForCpu, long compilerCpu, long collectorCpu) {
        /** Every thread's CPU time that is neither the compilers' nor the collector's. */
        public long otherCpu() {
            return cpu - compilerCpu - collectorCpu;
        }
    }

    /** This process's {@link ThreadTimes} now (Linux), or null where {@code /proc/self/task} cannot be read. */
    public static ThreadTimes threadTimes() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return null;
        }
        long[] kinds = new long[3];
        long wait = 0;
        for (java.io.File task : tasks) {
            try {
                String name = Files.readString(task.toPath().resolve("comm")).trim();
                String[] f = Files.readString(task.toPath().resolve("schedstat")).trim().split(" ");
                kinds[threadKind(name)] += Long.parseLong(f[0]);
                wait += Long.parseLong(f[1]);
            } catch (IOException | RuntimeException e) {
                // a thread that ended meanwhile, or no schedstat on this kernel
            }
        }
        return new ThreadTimes(kinds[0] + kinds[1] + kinds[2], wait, kinds[0], kinds[1]);
    }

    /** 0 for a HotSpot JIT compiler thread's name, 1 for a garbage collector's (G1, parallel, serial, ZGC), 2 else. */
    static int threadKind(String name) {
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return 0;
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM Thread")
                || name.startsWith("ZWorker") || name.startsWith("ZDriver")) {
            return 1;
        }
        return 2;
    }

    /** CPU time of this process over all its threads, in nanoseconds. */
    public static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * {@code {CPU time, time runnable but waiting for a CPU}} of this process's threads in nanoseconds
     * ({@link #threadTimes}; Linux; {@code {-1, -1}} where it cannot be read). The difference of
     * two readings says how long the threads queued for a CPU in between: on a 2-core VM whose scheduler kept
     * little-used threads on one CPU, a 1-box decode after idle time waited 11 to 15 ms of its 25 to 27 (2026-12-05).
     * Threads that end between two readings drop out of the second sum.
     */
    public static long[] threadSchedNanos() {
        ThreadTimes t = threadTimes();
        return t == null ? new long[] {-1, -1} : new long[] {t.cpu(), t.waitForCpu()};
    }
}
