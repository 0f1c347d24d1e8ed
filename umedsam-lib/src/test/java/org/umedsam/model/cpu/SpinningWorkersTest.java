package org.umedsam.model.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link SpinningWorkers}: a loop inside {@link SpinningWorkers#during} runs every chunk once, on the calling thread
 * and the workers; outside it, in a pool thread, or while the workers are taken it leaves the loop to the caller;
 * a chunk's exception reaches the caller and the workers go on.
 */
class SpinningWorkersTest {

    @Test
    void everyChunkRunsOnceOnTheCallerAndTheWorkers() {
        assumeTrue(SpinningWorkers.WORKERS > 0, "one processor: no workers");
        Set<String> threads = ConcurrentHashMap.newKeySet();
        long until = System.nanoTime() + 10_000_000_000L; // until a worker has run a chunk: a loaded machine may be slow to start it
        for (int loop = 0; loop < 200 || (System.nanoTime() < until
                && threads.stream().noneMatch(n -> n.startsWith("umedsam-spinning-worker-"))); loop++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(37);
            boolean ran = SpinningWorkers.during(() -> SpinningWorkers.run(37, c -> {
                runs.incrementAndGet(c);
                threads.add(Thread.currentThread().getName());
                ChunkedParallelTasksTest.busyWork(2_000);
            }));
            assertThat(ran).isTrue();
            for (int c = 0; c < 37; c++) {
                assertThat(runs.get(c)).as("loop %d, runs of chunk %d", loop, c).isEqualTo(1);
            }
        }
        assertThat(threads).as("threads that ran chunks").contains(Thread.currentThread().getName())
                .anyMatch(n -> n.startsWith("umedsam-spinning-worker-"));
    }

    @Test
    void outsideDuringInAPoolOrWhileTakenTheCallerRunsTheLoop() throws Exception {
        assertThat(SpinningWorkers.run(4, c -> { })).as("outside during").isFalse();
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            assertThat(pool.submit(() -> SpinningWorkers.during(() -> SpinningWorkers.run(4, c -> { }))).get())
                    .as("in a pool thread").isFalse();
        } finally {
            pool.shutdown();
        }
        assumeTrue(SpinningWorkers.WORKERS > 0, "one processor: no workers");
        AtomicIntegerArray nested = new AtomicIntegerArray(1);
        SpinningWorkers.during(() -> SpinningWorkers.run(2, c -> {
            if (!SpinningWorkers.run(3, i -> { })) {
                nested.incrementAndGet(0);
            }
        }));
        assertThat(nested.get(0)).as("loops inside a chunk while the workers are taken").isEqualTo(2);
    }

    @Test
    void aChunksExceptionReachesTheCallerAndTheWorkersGoOn() {
        assumeTrue(SpinningWorkers.WORKERS > 0, "one processor: no workers");
        AtomicIntegerArray runs = new AtomicIntegerArray(16);
        assertThatThrownBy(() -> SpinningWorkers.during(() -> SpinningWorkers.run(16, c -> {
            runs.incrementAndGet(c);
            if (c == 5) {
                throw new IllegalStateException("chunk 5");
            }
        }))).isInstanceOf(IllegalStateException.class).hasMessage("chunk 5");
        for (int c = 0; c < 16; c++) {
            assertThat(runs.get(c)).as("chunk %d ran", c).isEqualTo(1);
        }
        AtomicIntegerArray after = new AtomicIntegerArray(8);
        assertThat(SpinningWorkers.during(() -> SpinningWorkers.run(8, after::incrementAndGet))).isTrue();
        for (int c = 0; c < 8; c++) {
            assertThat(after.get(c)).isEqualTo(1);
        }
    }

    @Test
    void chunkedLoopsInsideDuringCoverTheirRange() {
        float[] x = new float[1 << 18];
        SpinningWorkers.during(() -> {
            ChunkedParallel.parallel(x.length, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    x[i] += i;
                }
            });
            return null;
        });
        for (int i = 0; i < x.length; i++) {
            assertThat(x[i]).isEqualTo((float) i);
        }
    }
}
