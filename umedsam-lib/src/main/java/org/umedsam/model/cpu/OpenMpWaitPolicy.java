package org.umedsam.model.cpu;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Warns once when OpenMP threads may spin-wait. The CPU engine alternates native BLAS calls (OpenMP
 * threads) with Java loops on the same cores; with the default "active" wait policy the idle OpenMP
 * threads spin for a while after every call and take the cores from the Java loops (a small-preset
 * training step measured 9 s instead of 1.8 s). The policy is read by the native library at start-up,
 * so it can only be set in the environment: {@code OMP_WAIT_POLICY=PASSIVE}. The project's scripts,
 * Surefire and the Jupyter kernel set it.
 */
final class OpenMpWaitPolicy {
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private OpenMpWaitPolicy() {
    }

    static void warnIfSpinning() {
        if (CHECKED.compareAndSet(false, true)) {
            String policy = System.getenv("OMP_WAIT_POLICY");
            boolean oneThread = "1".equals(System.getenv("OMP_NUM_THREADS"));
            if (!oneThread && (policy == null || !policy.toUpperCase(Locale.ROOT).equals("PASSIVE"))) {
                System.err.println("umedsam: OMP_WAIT_POLICY is " + (policy == null ? "unset" : policy)
                        + "; set OMP_WAIT_POLICY=PASSIVE before starting Java, or spinning OpenMP threads slow the"
                        + " CPU engine several-fold");
            }
        }
    }
}
