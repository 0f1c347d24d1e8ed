package org.umedsam.optim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ElementwiseUpdates} gives the same bits as the ND4J operation sequence it replaced (kept here as the
 * reference), in float and in double, over several chunks, and through a non-contiguous view.
 */
class ElementwiseUpdatesTest {

    enum Precision {
        FLOAT(DataType.FLOAT), DOUBLE(DataType.DOUBLE);

        final DataType type;

        Precision(DataType type) {
            this.type = type;
        }
    }

    /** Every value exactly (float values widen to double without rounding). */
    private static double[] values(INDArray a) {
        return a.dup('c').data().asDouble();
    }

    /** 40000 values: more than two chunks, the last one partial. */
    private static INDArray random(DataType type, double scale, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, 200, 200).muli(scale).castTo(type);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void adamWEqualsTheOperationSequenceBitForBit(Precision p) {
        INDArray w = random(p.type, 1, 1);
        INDArray g = random(p.type, 1e-2, 2);
        INDArray m = random(p.type, 1e-3, 3);
        INDArray v = Transforms.abs(random(p.type, 1e-5, 4), false);
        double lr = 5e-5;
        double decay = 1.0 - lr * 0.01;
        double beta1 = 0.9;
        double beta2 = 0.999;
        int t = 7;
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);

        INDArray wRef = w.dup();
        INDArray mRef = m.dup();
        INDArray vRef = v.dup();
        wRef.muli(decay);
        mRef.muli(beta1).addi(g.mul(1.0 - beta1));
        vRef.muli(beta2).addi(g.mul(g).muli(1.0 - beta2));
        INDArray denom = Transforms.sqrt(vRef, true).divi(Math.sqrt(bc2)).addi(1e-8);
        wRef.subi(mRef.div(denom).muli(lr / bc1));

        ElementwiseUpdates.adamW(w, g, m, v, decay, beta1, beta2, Math.sqrt(bc2), 1e-8, lr / bc1);
        assertThat(values(w)).containsExactly(values(wRef));
        assertThat(values(m)).containsExactly(values(mRef));
        assertThat(values(v)).containsExactly(values(vRef));
        assertThat(values(w)).as("the update moved the weights").isNotEqualTo(values(random(p.type, 1, 1)));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void samPerturbationEqualsTheOperationSequenceBitForBit(Precision p) {
        for (boolean adaptive : new boolean[]{false, true}) {
            INDArray w = random(p.type, 1, 5);
            INDArray g = random(p.type, 1e-2, 6);
            double scale = 0.05 / 3.7;
            INDArray ref = w.dup();
            INDArray e = g.mul(scale);
            if (adaptive) {
                e.muli(ref.mul(ref));
            }
            ref.addi(e);
            ElementwiseUpdates.perturb(w, g, scale, adaptive);
            assertThat(values(w)).as("adaptive " + adaptive).containsExactly(values(ref));
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void aNonContiguousParameterIsUpdatedThroughACopy(Precision p) {
        INDArray whole = random(p.type, 1, 7);
        INDArray column = whole.get(NDArrayIndex.all(), NDArrayIndex.point(3)); // stride 200
        INDArray before = whole.dup();
        INDArray g = random(p.type, 1e-2, 8).get(NDArrayIndex.all(), NDArrayIndex.point(0)).dup();
        INDArray ref = column.dup().addi(g.mul(0.5));
        ElementwiseUpdates.perturb(column, g, 0.5, false);
        assertThat(values(whole.get(NDArrayIndex.all(), NDArrayIndex.point(3)))).containsExactly(values(ref));
        before.get(NDArrayIndex.all(), NDArrayIndex.point(3)).assign(ref);
        assertThat(values(whole)).as("only the column changed").containsExactly(values(before));
    }
}
