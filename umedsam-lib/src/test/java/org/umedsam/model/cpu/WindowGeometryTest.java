package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;

/** The window attention's parallel schedule: every (window, head) once, full windows first. */
class WindowGeometryTest {

    private static WindowGeometry geometry(int heads, int ws) {
        return new WindowGeometry(heads, 4, ws, new float[heads * ws * ws]);
    }

    @Test
    void fullWindowsComeFirstThenThePartlyPaddedOnes() {
        // LiteMedSAM's third stage: 64 x 64 tokens, 14 x 14 windows, 5 heads; the last window row and column hold
        // 8 real rows or columns: 16 windows of 196 real queries, 8 of 112, one of 64
        int[] order = geometry(5, 14).largestFirst(64);
        assertThat(order).hasSize(125);
        for (int i = 0; i < 125; i++) {
            int win = order[i] / 5;
            int real = Math.min(14, 64 - win / 5 * 14) * Math.min(14, 64 - win % 5 * 14);
            assertThat(real).as("task %d at %d", order[i], i).isEqualTo(i < 80 ? 196 : i < 120 ? 112 : 64);
        }
        assertThat(order).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 25)
                .endsWith(120, 121, 122, 123, 124);
        // 15 x 15 tokens, 7 x 7 windows, 2 heads: the one-row and one-column windows come after the full ones
        int[] smaller = geometry(2, 7).largestFirst(15);
        assertThat(smaller).hasSize(18).startsWith(0, 1, 2, 3, 6, 7, 8, 9).endsWith(16, 17);
    }

    @ParameterizedTest(name = "side {0}, ws {1}, {2} heads")
    @CsvSource({"16, 14, 5", "32, 7, 4", "7, 7, 1", "1, 7, 3", "15, 7, 2"})
    void runsEveryWindowAndHeadExactlyOnceWithItsCoordinates(int side, int ws, int heads) {
        WindowGeometry g = geometry(heads, ws);
        int nw = g.windowsPerSide(side);
        AtomicIntegerArray runs = new AtomicIntegerArray(nw * nw * heads);
        g.forEachWindowHead(side, (task, wy, wx, h) -> {
            assertThat(task).isEqualTo((wy * nw + wx) * heads + h);
            runs.incrementAndGet(task);
        });
        for (int t = 0; t < runs.length(); t++) {
            assertThat(runs.get(t)).as("task %d", t).isEqualTo(1);
        }
    }
}
