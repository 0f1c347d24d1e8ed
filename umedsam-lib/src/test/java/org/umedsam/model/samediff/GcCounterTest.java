package org.umedsam.model.samediff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcCounterTest {

    @Test
    void collectsOnEveryNthPass() {
        GcCounter gc = new GcCounter(3);
        List<Integer> collected = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            if (gc.count()) {
                collected.add(i);
            }
        }
        assertThat(collected).containsExactly(3, 6, 9);
        assertThat(gc.every()).isEqualTo(3);
    }

    @Test
    void refusesAPeriodBelowOne() {
        assertThatThrownBy(() -> new GcCounter(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a GC counter needs every >= 1, got 0");
    }
}
