package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ChunkedParallel#tasks}: every task runs once, a slot is never used by two threads at once, and the
 * engine's loops started inside a task run on the task's thread alone.
 */
class ChunkedParallelTasksTest {

    @ParameterizedTest(name = "{0} tasks, {1} slots")
    @CsvSource({"1, 1", "7, 1", "2, 2", "16, 2", "5, 8"})
    void everyTaskRunsOnceAndASlotHasOneThreadAtATime(int tasks, int slots) {
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        AtomicIntegerArray inUse = new AtomicIntegerArray(slots);
        AtomicReference<String> problem = new AtomicReference<>();
        ChunkedParallel.tasks(tasks, slots, (task, slot) -> {
            if (slot < 0 || slot >= slots || inUse.getAndIncrement(slot) != 0) {
                problem.compareAndSet(null, "slot " + slot + " in use by two threads, or out of range");
            }
            runs.incrementAndGet(task);
            busyWork();
            inUse.decrementAndGet(slot);
        });
        assertThat(problem.get()).isNull();
        for (int t = 0; t < tasks; t++) {
            assertThat(runs.get(t)).as("runs of task %d", t).isEqualTo(1);
        }
    }

    @Test
    void loopsInsideATaskRunOnItsThread() {
        ConcurrentHashMap<String, Boolean> problems = new ConcurrentHashMap<>();
        assertThat(ChunkedParallel.sequentialHere()).isFalse();
        ChunkedParallel.tasks(4, 2, (task, slot) -> {
            Thread me = Thread.currentThread();
            if (!ChunkedParallel.sequentialHere() || RowParallelGemm.threads() != 1) {
                problems.put("not marked sequential", true);
            }
            ChunkedParallel.parallel(1 << 20, 4, (from, to) -> {
                if (Thread.currentThread() != me || from != 0 || to != 1 << 20) {
                    problems.put("a chunked loop left its task's thread or was split", true);
                }
            });
            ChunkedParallel.forEach(64, i -> {
                if (Thread.currentThread() != me) {
                    problems.put("a forEach loop left its task's thread", true);
                }
            });
        });
        assertThat(problems).isEmpty();
        assertThat(ChunkedParallel.sequentialHere()).as("restored after the tasks").isFalse();
    }

    @Test
    void aTaskThatThrowsLeavesTheCallerParallel() {
        assertThatThrownBy(() -> ChunkedParallel.tasks(3, 1, (task, slot) -> {
            throw new IllegalStateException("task " + task);
        })).isInstanceOf(IllegalStateException.class).hasMessage("task 0");
        assertThat(ChunkedParallel.sequentialHere()).isFalse();
        assertThatThrownBy(() -> ChunkedParallel.tasks(3, 0, (task, slot) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slots");
    }

    private static void busyWork() {
        busyWork(20_000);
    }

    /** About {@code iterations} square roots of work that the JIT cannot drop. */
    static void busyWork(int iterations) {
        double s = 0;
        for (int i = 0; i < iterations; i++) {
            s += Math.sqrt(i);
        }
        if (s < 0) {
            throw new AssertionError();
        }
    }
}
