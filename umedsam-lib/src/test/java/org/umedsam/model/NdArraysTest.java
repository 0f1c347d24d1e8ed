package org.umedsam.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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

    @Test
    void toHeapGivesTheValuesInCOrderAsAsFloatDoes() {
        INDArray x = oneTo24();
        assertThat(NdArrays.toHeap(x)).containsExactly(x.data().asFloat());
        float[] back = NdArrays.toHeap(x);
        back[0] = -1;
        assertThat(x.getFloat(0, 0, 0)).as("a copy").isEqualTo(1f);
    }

    @Test
    void toHeapCopiesViewsFortranOrderAndOtherTypesInCOrder() {
        INDArray x = oneTo24();
        INDArray view = x.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
        assertThat(NdArrays.toHeap(view)).containsExactly(14, 15, 18, 19, 22, 23);
        assertThat(NdArrays.toHeap(x.dup('f'))).containsExactly(x.data().asFloat());
        assertThat(NdArrays.toHeap(x.castTo(DataType.DOUBLE))).containsExactly(x.data().asFloat());
    }

    @Test
    void toHeapFillsAnArrayOfTheRightLengthAndOtherwiseMakesOne() {
        INDArray x = oneTo24();
        float[] reuse = new float[24];
        assertThat(NdArrays.toHeap(x, reuse)).isSameAs(reuse).containsExactly(x.data().asFloat());
        float[] wrong = new float[23];
        float[] made = NdArrays.toHeap(x, wrong);
        assertThat(made).isNotSameAs(wrong).containsExactly(x.data().asFloat());
        assertThat(wrong).containsOnly(0f);
        assertThat(NdArrays.toHeap(x.permute(2, 1, 0), reuse)).as("a view, via its copy").isSameAs(reuse)
                .containsExactly(x.permute(2, 1, 0).dup('c').data().asFloat());
    }

    @Test
    void scalarsAndEmptyArraysCrossBothWays() {
        INDArray scalar = NdArrays.fromHeap(new float[] {2.5f}, 1);
        assertThat(scalar.rank()).isZero();
        assertThat(scalar.getFloat(0)).isEqualTo(2.5f);
        assertThat(NdArrays.toHeap(scalar)).containsExactly(2.5f);
        INDArray empty = NdArrays.fromHeap(new float[0], 0, 0, 3);
        assertThat(empty.shape()).containsExactly(0, 3);
        assertThat(NdArrays.toHeap(empty)).isEmpty();
    }

    /** {@code [2, 3, 4]} float, c order, holding 1 to 24. */
    private static INDArray oneTo24() {
        float[] v = new float[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = i + 1;
        }
        return Nd4j.createFromArray(v).reshape('c', 2, 3, 4);
    }
}
