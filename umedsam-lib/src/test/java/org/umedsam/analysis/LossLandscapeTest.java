package org.umedsam.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelOutput;
import org.umedsam.loss.FixedWeightedLoss;
import org.umedsam.loss.Losses;
import org.umedsam.report.LandscapeLine;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.train.Batch;
import org.umedsam.train.ParameterGroup;
import org.umedsam.train.TrainableModel;
import org.umedsam.train.TrainingExample;

class LossLandscapeTest {

    /** logits = sum_f sum_c W[f, c] * img[c] + bias; iou fixed at 0.5; "encoder.scale" is never used. */
    static final class LinearHead implements TrainableModel {
        final Map<String, INDArray> params = new LinkedHashMap<>();

        LinearHead() {
            params.put("encoder.scale", Nd4j.createFromArray(new float[][] {{1f, 1f}}));
            params.put("decoder.weight", Nd4j.createFromArray(new float[][] {{2.0f, -0.5f, 0.1f}, {1.5f, 0.3f, -0.2f}}));
            params.put("decoder.bias", Nd4j.createFromArray(new float[] {-1.2f}));
        }

        @Override
        public Map<String, INDArray> parameters() {
            return params;
        }

        @Override
        public Map<String, INDArray> buffers() {
            return Map.of();
        }

        @Override
        public Set<String> parameterNames(ParameterGroup group) {
            return Set.of("decoder.weight", "decoder.bias");
        }

        @Override
        public Engine.Pass forward(INDArray images, INDArray boxes, boolean training) {
            INDArray w = params.get("decoder.weight").sum(0).reshape(1, 3, 1, 1);
            INDArray logits = images.mul(w).sum(true, 1).addi(params.get("decoder.bias").getFloat(0));
            ModelOutput out = new ModelOutput(logits, Nd4j.zeros(DataType.FLOAT, images.size(0), 1).addi(0.5),
                    List.of());
            return new Engine.Pass() {
                @Override
                public ModelOutput output() {
                    return out;
                }

                @Override
                public Map<String, INDArray> backward(INDArray gradLogits, INDArray gradIou, Set<String> wrt) {
                    Map<String, INDArray> g = new LinkedHashMap<>();
                    INDArray perChannel = images.mul(gradLogits).sum(0, 2, 3); // [3]
                    g.put("decoder.weight", Nd4j.vstack(perChannel.reshape(1, 3), perChannel.reshape(1, 3)));
                    g.put("decoder.bias", gradLogits.sum().reshape(1));
                    return g;
                }
            };
        }

        @Override
        public void applyBatchNormStatistics(ModelOutput output, double momentum) {
        }
    }

    static Batch batch() {
        List<TrainingExample> ex = new ArrayList<>();
        int h = 16;
        int w = 16;
        for (int k = 0; k < 3; k++) {
            Random r = new Random(k);
            float[] img = new float[3 * h * w];
            byte[] mask = new byte[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean in = x >= 3 + k && x < 11 && y >= 4 && y < 12 - k;
                    mask[y * w + x] = (byte) (in ? 1 : 0);
                    img[y * w + x] = (in ? 0.8f : 0.2f) + 0.1f * (float) r.nextGaussian();
                    img[h * w + y * w + x] = (float) r.nextDouble();
                    img[2 * h * w + y * w + x] = 0.5f;
                }
            }
            ex.add(new TrainingExample("ex" + k, img, new float[] {2, 3, 12, 12}, mask, h, w, "synthetic"));
        }
        return Batch.of(ex);
    }

    static LossLandscape landscape(LinearHead m) {
        return new LossLandscape(m, m.parameterNames(ParameterGroup.ALL),
                FixedWeightedLoss.unitWeights(Losses.byNames(List.of("dice", "bce"))), new double[0], batch());
    }

    @Test
    void directionsAreFilterNormalisedAndSkipBiases() {
        LinearHead m = new LinearHead();
        Map<String, INDArray> d = landscape(m).randomDirection(1);
        assertThat(d).containsOnlyKeys("decoder.weight", "decoder.bias");
        INDArray w = m.params.get("decoder.weight");
        for (int f = 0; f < 2; f++) {
            assertThat(d.get("decoder.weight").getRow(f).norm2Number().doubleValue())
                    .isCloseTo(w.getRow(f).norm2Number().doubleValue(), within(1e-6));
        }
        assertThat(d.get("decoder.bias").norm2Number().doubleValue()).isZero();
        // reproducible from the seed, different across seeds
        assertThat(landscape(m).randomDirection(1).get("decoder.weight")).isEqualTo(d.get("decoder.weight"));
        assertThat(landscape(m).randomDirection(2).get("decoder.weight")).isNotEqualTo(d.get("decoder.weight"));
    }

    @Test
    void directionSeedsAreTheSameForEveryConfigurationAndDifferAcrossPairs() {
        // two "configurations": the same architecture with different trained weights
        LinearHead a = new LinearHead();
        LinearHead b = new LinearHead();
        b.params.get("decoder.weight").muli(Nd4j.createFromArray(new float[][] {{3f, 3f, 3f}, {0.5f, 0.5f, 0.5f}}));
        for (int pair = 0; pair < 2; pair++) {
            for (int which = 0; which < 2; which++) {
                long seed = RunLandscape.directionSeed(pair, which);
                INDArray da = landscape(a).randomDirection(seed).get("decoder.weight");
                INDArray db = landscape(b).randomDirection(seed).get("decoder.weight");
                for (int f = 0; f < 2; f++) {
                    // the same Gaussian draw, each filter scaled to its own run's filter norm (Li et al. 2018)
                    INDArray ua = da.getRow(f).div(a.params.get("decoder.weight").getRow(f).norm2Number().doubleValue());
                    INDArray ub = db.getRow(f).div(b.params.get("decoder.weight").getRow(f).norm2Number().doubleValue());
                    assertThat(ua.sub(ub).norm2Number().doubleValue()).isLessThan(1e-5);
                }
            }
        }
        assertThat(RunLandscape.directionSeed(0, 0)).isEqualTo(RunLandscape.DIRECTION_SEED);
        java.util.Set<Long> seeds = new java.util.HashSet<>();
        for (int pair = 0; pair < 3; pair++) {
            seeds.add(RunLandscape.directionSeed(pair, 0));
            seeds.add(RunLandscape.directionSeed(pair, 1));
        }
        assertThat(seeds).hasSize(6).doesNotContain(RunLandscape.SHARPNESS_SEED);
        assertThatThrownBy(() -> RunLandscape.directionSeed(0, 2)).hasMessageContaining("which");
    }

    @Test
    void lineMatchesDirectEvaluationAndRestoresWeights() {
        LinearHead m = new LinearHead();
        LossLandscape l = landscape(m);
        INDArray before = m.params.get("decoder.weight").dup();
        double base = l.loss();
        Map<String, INDArray> d = l.randomDirection(3);
        LandscapeLine line = l.line("x", d, LossLandscape.grid(5, 1.0));
        assertThat(line.centerLoss()).isCloseTo(base, within(1e-12));
        assertThat(m.params.get("decoder.weight")).isEqualTo(before);
        // the point alpha = 0.5 by hand
        m.params.get("decoder.weight").addi(d.get("decoder.weight").castTo(DataType.FLOAT).mul(0.5));
        assertThat(line.losses()[3]).isCloseTo(l.loss(), within(1e-5));
        m.params.get("decoder.weight").assign(before);
        // the loss actually changes away from the centre
        assertThat(line.losses()[0]).isNotCloseTo(base, within(1e-4));
    }

    @Test
    void surfaceCentreIsTheLossAndWeightsAreRestored() {
        LinearHead m = new LinearHead();
        LossLandscape l = landscape(m);
        INDArray before = m.params.get("decoder.weight").dup();
        LandscapeSurface s = l.surface("x", l.randomDirection(1), l.randomDirection(2), LossLandscape.grid(3, 0.5),
                LossLandscape.grid(5, 0.5));
        assertThat(s.losses()).hasDimensions(5, 3);
        assertThat(s.losses()[2][1]).isCloseTo(l.loss(), within(1e-12));
        assertThat(m.params.get("decoder.weight")).isEqualTo(before);
    }

    @Test
    void gradientAscentFindsTheFirstOrderWorstCase() {
        LinearHead m = new LinearHead();
        LossLandscape l = landscape(m);
        INDArray before = m.params.get("decoder.weight").dup();
        double rho = 1e-3;
        LossLandscape.Sharpness s = l.sharpness(rho, 4, 1, 7);
        // to first order the best increase within the ball is rho * ||grad||; random directions do worse
        double gradNorm = gradientNorm(m, l);
        assertThat(s.ascentIncrease()).isCloseTo(rho * gradNorm, within(0.05 * rho * gradNorm));
        assertThat(s.randomIncrease()).isLessThan(s.ascentIncrease());
        assertThat(s.sharpness()).isEqualTo(Math.max(s.randomIncrease(), s.ascentIncrease()));
        assertThat(m.params.get("decoder.weight")).isEqualTo(before);
        // a larger ball contains larger increases
        assertThat(l.sharpness(10 * rho, 0, 3, 7).sharpness()).isGreaterThan(s.sharpness());
        assertThatThrownBy(() -> l.sharpness(0, 1, 1, 1)).hasMessageContaining("rho > 0");
    }

    /** ||d loss / d theta|| by central differences over the trained entries. */
    static double gradientNorm(LinearHead m, LossLandscape l) {
        double sum = 0;
        double h = 1e-3;
        for (String name : List.of("decoder.weight", "decoder.bias")) {
            INDArray p = m.params.get(name);
            for (int i = 0; i < p.length(); i++) {
                float v = p.getFloat(i);
                p.putScalar(i, v + h);
                double up = l.loss();
                p.putScalar(i, v - h);
                double down = l.loss();
                p.putScalar(i, v);
                double g = (up - down) / (2 * h);
                sum += g * g;
            }
        }
        return Math.sqrt(sum);
    }
}
