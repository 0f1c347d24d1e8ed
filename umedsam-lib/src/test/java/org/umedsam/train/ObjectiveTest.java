package org.umedsam.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.loss.CombinedLoss;
import org.umedsam.loss.CompositeLoss;
import org.umedsam.optim.Evaluation;

/** {@link Objective}: the loss of a batch, its gradients (log-sigmas included), BatchNorm folding, non-finite values. */
class ObjectiveTest {
    private final TrainConfig config = TrainerTest.tiny(false);

    private static Batch batch(SyntheticSquares items) {
        return Batch.load(ShuffledSource.validation(items, 7), 0, 0, 4, 1, new HashMap<>());
    }

    @Test
    void theLogSigmasGetTheirGradientBesideTheModels() {
        TinyPixelModel m = new TinyPixelModel(1);
        Set<String> wrt = new TreeSet<>(m.parameterNames(ParameterGroup.MASK_DECODER_AND_SIGMAS));
        Objective o = new Objective(m, config.buildLoss(), wrt, Objective.NonFinite.ACCEPT);
        Batch b = batch(new SyntheticSquares(4, 16, 1));
        double[] sigmas = {0.1, -0.2, 0.3, 0.0};
        Evaluation<CombinedLoss> ev = o.evaluate(b, sigmas, false, false);
        assertThat(ev.gradients()).containsOnlyKeys("mask_decoder.bias", "mask_decoder.iou_u", "mask_decoder.v",
                Objective.LOG_SIGMA);
        assertThat(ev.gradients().get(Objective.LOG_SIGMA).toDoubleVector())
                .containsExactly(ev.details().gradLogSigma());
        assertThat(ev.details().total()).isEqualTo(o.score(b, sigmas, false).loss().total());
    }

    @Test
    void gradientsAgreeWithFiniteDifferences() {
        // Dice + BCE only: the IoU head's target is the thresholded mask's IoU, held constant in the gradient
        TrainConfig fixed = config.with(Map.of("losses", java.util.List.of("dice", "bce"), "weighting", "fixed",
                "fixedWeights", java.util.List.of(1.0, 1.0)));
        TinyPixelModel m = new TinyPixelModel(1);
        CompositeLoss loss = fixed.buildLoss();
        Objective o = new Objective(m, loss, m.parameterNames(ParameterGroup.ALL), Objective.NonFinite.ACCEPT);
        Batch b = batch(new SyntheticSquares(4, 16, 1));
        Evaluation<CombinedLoss> ev = o.evaluate(b, new double[0], false, false);
        assertThat(ev.gradients()).doesNotContainKey(Objective.LOG_SIGMA);
        for (String name : new String[] {"mask_decoder.bias", "mask_decoder.v"}) {
            INDArray p = m.parameters().get(name);
            float p0 = p.getFloat(0);
            double h = 1e-2;
            p.putScalar(0, p0 + h);
            double up = o.score(b, new double[0], false).loss().total();
            p.putScalar(0, p0 - h);
            double down = o.score(b, new double[0], false).loss().total();
            p.putScalar(0, p0);
            double numeric = (up - down) / (2 * h);
            double analytic = ev.gradients().get(name).getDouble(0);
            assertThat(Math.abs(numeric - analytic)).as(name).isLessThan(0.02 * Math.abs(analytic) + 1e-4);
        }
    }

    @Test
    void foldsBatchStatisticsOnlyWhenAsked() {
        TinyPixelModel m = new TinyPixelModel(1);
        Objective o = new Objective(m, config.buildLoss(), m.parameterNames(ParameterGroup.ALL),
                Objective.NonFinite.ACCEPT);
        Batch b = batch(new SyntheticSquares(4, 16, 1));
        INDArray before = m.buffers().get("image_encoder.running_mean").dup();
        o.evaluate(b, new double[4], true, false);
        assertThat(m.buffers().get("image_encoder.running_mean")).isEqualTo(before);
        o.evaluate(b, new double[4], true, true);
        assertThat(m.buffers().get("image_encoder.running_mean")).isNotEqualTo(before);
    }

    @Test
    void aNonFiniteTermIsReportedBeforeTheBackwardPassOrAccepted() {
        TinyPixelModel m = new TinyPixelModel(1);
        Batch poisoned = batch(new SyntheticSquares(4, 16, 1, 2));
        Map<String, Double> seen = new HashMap<>();
        Objective strict = new Objective(m, config.buildLoss(), m.parameterNames(ParameterGroup.ALL), (term, v) -> {
            seen.put(term, v);
            throw new IllegalStateException("stop at " + term);
        });
        INDArray before = m.buffers().get("image_encoder.running_mean").dup();
        assertThatThrownBy(() -> strict.evaluate(poisoned, new double[4], true, true))
                .hasMessage("stop at dice");
        assertThat(seen.get("dice")).isNaN();
        assertThat(m.buffers().get("image_encoder.running_mean")).isEqualTo(before);
        Objective lenient = new Objective(m, config.buildLoss(), m.parameterNames(ParameterGroup.ALL),
                Objective.NonFinite.ACCEPT);
        assertThat(lenient.evaluate(poisoned, new double[4], false, false).details().total()).isNaN();
    }
}
