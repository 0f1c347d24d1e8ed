package org.umedsam;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

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

    /** CPU time of this process over all its threads, in nanoseconds. */
    public static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
