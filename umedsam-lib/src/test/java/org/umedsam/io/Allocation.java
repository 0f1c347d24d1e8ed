package org.umedsam.io;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread allocates on the Java heap while a reader runs (HotSpot's per-thread
 * allocation counter), so tests can bound what a hostile file makes a reader allocate.
 */
public final class Allocation {
    private Allocation() {
    }

    public interface Action {
        void run() throws Exception;
    }

    /** Allocated bytes of {@code action} on this thread; its exception, if any, is passed to {@code onError}. */
    public static long measure(Action action, java.util.function.Consumer<Throwable> onError) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(id);
        try {
            action.run();
        } catch (Throwable t) {
            onError.accept(t);
        }
        return bean.getThreadAllocatedBytes(id) - before;
    }

    /** Allocated bytes of {@code action}, which must throw; returns them and hands the exception over. */
    public static long ofFailing(Action action, Throwable[] thrown) {
        return measure(action, t -> thrown[0] = t);
    }
}
