package org.umedsam.model.cpu;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * OpenMP's wait policy for the CPU engine. The engine alternates native BLAS calls (OpenMP threads) with Java
 * loops on the same cores; with the default "active" wait policy the idle OpenMP threads spin for a while after
 * every call and take the cores from the Java loops (a small-preset training step measured 9 s instead of 1.8 s).
 * The native library reads the policy from the environment when it loads, so it must be
 * {@code OMP_WAIT_POLICY=PASSIVE} by then: the project's scripts, Surefire and the Jupyter kernel set it before
 * Java starts, and the command line sets it in its own process ({@link #preferPassive()}) before ND4J loads.
 * Otherwise a warning says so, once.
 */
public final class OpenMpWaitPolicy {
    private static final AtomicBoolean CHECKED = new AtomicBoolean();
    /** Set when {@link #preferPassive()} put PASSIVE into this process's environment ({@link System#getenv} caches). */
    private static volatile boolean setHere;

    private OpenMpWaitPolicy() {
    }

    /** libc's {@code setenv}. */
    private interface LibC extends com.sun.jna.Library {
        int setenv(String name, String value, int overwrite);
    }

    /**
     * Sets {@code OMP_WAIT_POLICY=PASSIVE} in this process's environment when it is unset, through libc's
     * {@code setenv}; only effective before ND4J's native library loads (call it first thing in a main method).
     * A policy the user set is kept.
     *
     * @return whether it was set here
     */
    public static boolean preferPassive() {
        if (System.getenv("OMP_WAIT_POLICY") != null || setHere) {
            return false;
        }
        try {
            LibC c = com.sun.jna.Native.loadLibrary("c", LibC.class);
            setHere = c.setenv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0;
        } catch (LinkageError | RuntimeException e) {
            setHere = false; // no libc through JNA here: the warning below still says what to do
        }
        return setHere;
    }

    /**
     * The policy this process's native libraries see: the environment's at start-up, or PASSIVE when
     * {@link #preferPassive()} set it (which {@link System#getenv} does not show).
     */
    public static java.util.Optional<String> effective() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        return java.util.Optional.ofNullable(policy != null ? policy : setHere ? "PASSIVE (set by umedsam)" : null);
    }

    static void warnIfSpinning() {
        if (CHECKED.compareAndSet(false, true)) {
            String policy = System.getenv("OMP_WAIT_POLICY");
            boolean oneThread = "1".equals(System.getenv("OMP_NUM_THREADS"));
            if (!oneThread && !setHere && (policy == null || !policy.toUpperCase(Locale.ROOT).equals("PASSIVE"))) {
                System.err.println("umedsam: OMP_WAIT_POLICY is " + (policy == null ? "unset" : policy)
                        + "; set OMP_WAIT_POLICY=PASSIVE before starting Java, or spinning OpenMP threads slow the"
                        + " CPU engine several-fold");
            }
        }
    }
}
