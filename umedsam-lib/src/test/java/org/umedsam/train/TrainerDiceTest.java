package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.umedsam.metrics.Dice;

/** The validation DSC ({@link Validation}) is the toolkit's one Dice ({@link Dice}), empty masks included. */
class TrainerDiceTest {

    @Test
    void bothMasksEmptyIsNaNAsInTheMetric() {
        double[] logits = {-1, -2, -3, -4};
        double[] target = {0, 0, 0, 0};
        assertThat(Validation.dice(logits, 0, target)).isNaN();
        assertThat(Dice.coefficient(new boolean[4], new boolean[4])).isNaN();
        // one side empty: 0
        assertThat(Validation.dice(new double[]{1, -1, -1, -1}, 0, target)).isZero();
        assertThat(Validation.dice(logits, 0, new double[]{1, 0, 0, 0})).isZero();
    }

    @Test
    void agreesWithTheMetricOnRandomMasksAtAnOffset() {
        Random r = new Random(5);
        int plane = 64;
        for (int trial = 0; trial < 20; trial++) {
            double[] logits = new double[3 * plane];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = r.nextGaussian();
            }
            double[] target = new double[plane];
            boolean[] gt = new boolean[plane];
            boolean[] pred = new boolean[plane];
            for (int i = 0; i < plane; i++) {
                target[i] = r.nextDouble() < 0.3 ? 1 : 0;
                gt[i] = target[i] > 0.5;
                pred[i] = logits[plane + i] > 0;
            }
            assertThat(Validation.dice(logits, plane, target)).isEqualTo(Dice.coefficient(gt, pred));
        }
    }
}
