package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NdArraysTest {

    @Test
    void copiesTheFirstValuesInCOrder() {
        float[] a = {1, 2, 3, 4, 5, 6, 7};
        INDArray x = NdArrays.fromHeap(a, 6, 2, 3);
        assertThat(x.shape()).containsExactly(2, 3);
        assertThat(x.getFloat(1, 0)).isEqualTo(4f);
        assertThat(x.data().asFloat()).containsExactly(1, 2, 3, 4, 5, 6);
        a[0] = 9;
        assertThat(x.getFloat(0, 0)).as("a copy").isEqualTo(1f);
    }

    @Test
    void rejectsACountThatDoesNotFillTheShape() {
        assertThatThrownBy(() -> NdArrays.fromHeap(new float[8], 5, 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 values do not fill shape [2, 3]");
    }
}
