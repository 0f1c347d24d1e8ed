package org.umedsam.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hand-computed values on tiny cases and central finite-difference gradient checks. */
class LossGradientTest {

    static MaskBatch randomBatch(long seed, int b, int h, int w, boolean emptySecond) {
        Random r = new Random(seed);
        double[] logits = new double[b * h * w];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextGaussian() * 2;
        }
        TargetMaps[] maps = new TargetMaps[b];
        for (int i = 0; i < b; i++) {
            double[] t = new double[h * w];
            if (!(emptySecond && i == 1)) {
                int y0 = 1 + r.nextInt(h / 3);
                int x0 = 1 + r.nextInt(w / 3);
                for (int y = y0; y < y0 + h / 2; y++) {
                    for (int x = x0; x < x0 + w / 2; x++) {
                        t[y * w + x] = 1;
                    }
                }
            }
            maps[i] = TargetMaps.of(t, h, w);
        }
        double[] iou = new double[b];
        for (int i = 0; i < b; i++) {
            iou[i] = r.nextDouble();
        }
        return new MaskBatch(b, h, w, logits, iou, maps);
    }

    static double relErr(double a, double b) {
        // floor 1e-6: below it a central difference with h = 1e-6 is dominated by round-off (~1e-10)
        return Math.abs(a - b) / Math.max(Math.max(Math.abs(a), Math.abs(b)), 1e-6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dice", "bce", "mse", "iou", "sd", "bd"})
    void gradientMatchesCentralDifferences(String name) {
        SegLoss loss = Losses.byName(name);
        for (boolean empty : new boolean[] {false, true}) {
            MaskBatch b = randomBatch(11, 2, 9, 10, empty);
            LossTerm t = loss.evaluate(b);
            double h = 1e-6;
            for (int i = 0; i < b.logits().length; i += 7) {
                double[] plus = b.logits().clone();
                double[] minus = b.logits().clone();
                plus[i] += h;
                minus[i] -= h;
                double fd = (loss.evaluate(b.withLogits(plus)).value() - loss.evaluate(b.withLogits(minus)).value())
                        / (2 * h);
                if (Math.abs(fd) < 1e-9 && Math.abs(t.gradLogits()[i]) < 1e-9) {
                    continue;
                }
                assertThat(relErr(fd, t.gradLogits()[i])).as(name + " logit " + i + " fd " + fd + " analytic "
                        + t.gradLogits()[i]).isLessThan(1e-3);
            }
            for (int i = 0; i < b.batchSize(); i++) {
                double[] plus = b.iouPred().clone();
                double[] minus = b.iouPred().clone();
                plus[i] += h;
                minus[i] -= h;
                double fd = (loss.evaluate(b.withIouPred(plus)).value() - loss.evaluate(b.withIouPred(minus)).value())
                        / (2 * h);
                assertThat(t.gradIou()[i]).as(name + " iou " + i).isCloseTo(fd, within(1e-6 + 1e-3 * Math.abs(fd)));
            }
        }
    }

    @Test
    void uncertaintyWeightingGradientsMatchCentralDifferences() {
        MaskBatch b = randomBatch(3, 2, 8, 8, false);
        List<SegLoss> terms = Losses.byNames(List.of("dice", "bce", "iou", "sd"));
        for (var form : UncertaintyWeightedLoss.Form.values()) {
            UncertaintyWeightedLoss u = new UncertaintyWeightedLoss(terms, form);
            double[] s = {0.3, -0.7, 1.1, 0.0};
            CombinedLoss c = u.evaluate(b, s);
            for (int m = 0; m < s.length; m++) {
                double[] plus = s.clone();
                double[] minus = s.clone();
                plus[m] += 1e-6;
                minus[m] -= 1e-6;
                double fd = (u.evaluate(b, plus).total() - u.evaluate(b, minus).total()) / 2e-6;
                assertThat(relErr(fd, c.gradLogSigma()[m])).as(form + " s_" + m).isLessThan(1e-6);
            }
            for (int i = 0; i < b.logits().length; i += 5) {
                double[] plus = b.logits().clone();
                double[] minus = b.logits().clone();
                plus[i] += 1e-6;
                minus[i] -= 1e-6;
                double fd = (u.evaluate(b.withLogits(plus), s).total() - u.evaluate(b.withLogits(minus), s).total())
                        / 2e-6;
                assertThat(relErr(fd, c.gradLogits()[i])).as(form + " logit " + i).isLessThan(1e-3);
            }
        }
    }

    @Test
    void paperFormOptimumIsLogSqrtL() {
        UncertaintyWeightedLoss u = new UncertaintyWeightedLoss(List.of(new DiceLoss()), UncertaintyWeightedLoss.Form.PAPER);
        for (double l : new double[] {0.04, 0.5, 1.0, 3.7}) {
            double sStar = Math.log(Math.sqrt(l));
            // the derivative vanishes there and the function is larger on both sides
            double grad = -Math.exp(-2 * sStar) * l + 1;
            assertThat(grad).isCloseTo(0.0, within(1e-12));
            double at = u.total(new double[] {l}, new double[] {sStar});
            assertThat(u.total(new double[] {l}, new double[] {sStar + 1e-3})).isGreaterThan(at);
            assertThat(u.total(new double[] {l}, new double[] {sStar - 1e-3})).isGreaterThan(at);
            // and plain gradient descent on s finds it
            double s = 0;
            for (int i = 0; i < 5000; i++) {
                s -= 0.05 * (-Math.exp(-2 * s) * l + 1);
            }
            assertThat(s).isCloseTo(sStar, within(1e-9));
        }
    }

    @Test
    void handComputedValuesOnATwoByTwoCase() {
        // logits 0 everywhere -> p = 0.5; target one pixel of four
        double[] t = {1, 0, 0, 0};
        TargetMaps maps = TargetMaps.of(t, 2, 2);
        MaskBatch b = new MaskBatch(1, 2, 2, new double[4], new double[] {0.25}, new TargetMaps[] {maps});
        // dice: 1 - (2*0.5 + 1e-5) / (4*0.25 + 1 + 1e-5)
        assertThat(new DiceLoss().evaluate(b).value()).isCloseTo(1 - (1 + 1e-5) / (2 + 1e-5), within(1e-15));
        // bce: log 2 at every pixel
        assertThat(new BceWithLogitsLoss().evaluate(b).value()).isCloseTo(Math.log(2), within(1e-15));
        // mse: 0.25 everywhere
        assertThat(new PixelMseLoss().evaluate(b).value()).isCloseTo(0.25, within(1e-15));
        // logits 0 -> p > 0.5 is false everywhere: IoU 0, loss (0.25 - 0)^2
        assertThat(new IouHeadLoss().evaluate(b).value()).isCloseTo(0.0625, within(1e-15));
        // dt of the single pixel is 1 = max -> D = sigmoid(0) * 1 = 0.5 there; |D-p| = 0 + 3*0.5; mass 2
        assertThat(maps.shapeDistanceMap()[0]).isCloseTo(0.5, within(1e-7));
        assertThat(new ShapeDistanceLoss().evaluate(b).value()).isCloseTo(1.5 / 2, within(1e-7));
        // phi: inside -(1 - 1) = 0; outside distances 1, 1, sqrt 2 -> mean(0.5 * phi)
        assertThat(new BoundaryLoss().evaluate(b).value()).isCloseTo(0.5 * (2 + Math.sqrt(2)) / 4, within(1e-15));
    }

    @Test
    void shapeDistanceGuardKeepsAnEmptyPredictionFinite() {
        double[] t = {0, 1, 1, 0};
        MaskBatch b = new MaskBatch(1, 2, 2, new double[] {-800, -800, -800, -800}, new double[] {0},
                new TargetMaps[] {TargetMaps.of(t, 2, 2)});
        LossTerm term = new ShapeDistanceLoss().evaluate(b);
        assertThat(term.value()).isFinite();
        // sum D = 2 * sigmoid((1 - 1/(1+1e-8))/0.2) ~ 2 * 0.5, divided by the 1-pixel floor
        assertThat(term.value()).isCloseTo(1.0, within(1e-6));
        for (double g : term.gradLogits()) {
            assertThat(g).isFinite();
        }
    }
}
