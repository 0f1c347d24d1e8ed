package org.umedsam.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class OptimTest {

    static INDArray vec(double... v) {
        return Nd4j.createFromArray(v);
    }

    @Test
    void adamWMatchesHandComputedPyTorchArithmetic() {
        AdamW.Config c = new AdamW.Config(0.1, 0.9, 0.999, 1e-8, 0.01);
        AdamW opt = new AdamW(c, Set.of("s"));
        Map<String, INDArray> p = new HashMap<>(Map.of("w", vec(1.0, -2.0), "s", vec(0.5)));
        double[] w = {1.0, -2.0};
        double s = 0.5;
        double[] m = new double[3];
        double[] v = new double[3];
        double[][] grads = {{0.3, -0.1, 0.2}, {-0.5, 0.4, 0.1}, {0.05, 0.05, -0.3}};
        for (int t = 1; t <= 3; t++) {
            double[] g = grads[t - 1];
            opt.step(p, Map.of("w", vec(g[0], g[1]), "s", vec(g[2])));
            double[] x = {w[0], w[1], s};
            for (int i = 0; i < 3; i++) {
                if (i < 2) {
                    x[i] *= 1 - 0.1 * 0.01; // decoupled decay, not on "s"
                }
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double bc1 = 1 - Math.pow(0.9, t);
                double bc2 = 1 - Math.pow(0.999, t);
                x[i] -= (0.1 / bc1) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + 1e-8);
            }
            w[0] = x[0];
            w[1] = x[1];
            s = x[2];
            assertThat(p.get("w").getDouble(0)).isCloseTo(w[0], within(1e-14));
            assertThat(p.get("w").getDouble(1)).isCloseTo(w[1], within(1e-14));
            assertThat(p.get("s").getDouble(0)).isCloseTo(s, within(1e-14));
        }
    }

    @Test
    void aParameterGroupScaleMultipliesTheRateInDecayAndStepAndFollowsTheSchedule() {
        AdamW.Config c = new AdamW.Config(0.01, 0.9, 0.999, 1e-8, 0.01);
        AdamW opt = new AdamW(c, name -> false, Map.of("s", 20.0));
        Map<String, INDArray> p = new HashMap<>(Map.of("w", vec(1.0), "s", vec(1.0)));
        opt.step(p, Map.of("w", vec(0.3), "s", vec(0.3)));
        // first Adam step: m/sqrt(v) bias-corrected is sign(g); so w = w (1 - lr wd) - lr
        assertThat(p.get("w").getDouble(0)).isCloseTo(1.0 * (1 - 0.01 * 0.01) - 0.01, within(1e-7));
        assertThat(p.get("s").getDouble(0)).isCloseTo(1.0 * (1 - 0.2 * 0.01) - 0.2, within(1e-7));
        opt.setLearningRate(0.001); // a scheduler lowers the rate: the group keeps its multiple
        double s0 = p.get("s").getDouble(0);
        double w0 = p.get("w").getDouble(0);
        opt.step(p, Map.of("w", vec(0.3), "s", vec(0.3)));
        assertThat((s0 - p.get("s").getDouble(0)) / (w0 - p.get("w").getDouble(0))).isCloseTo(20.0, within(0.1)); // decay differs slightly
        assertThatThrownBy(() -> new AdamW(c, name -> false, Map.of("s", 0.0)))
                .hasMessageContaining("learning rate scale of 's'");
    }

    @Test
    void adamWStateRoundTripsExactly() {
        AdamW a = new AdamW(AdamW.Config.defaults(), Set.of());
        Map<String, INDArray> p1 = new HashMap<>(Map.of("w", Nd4j.rand(DataType.FLOAT, 3, 4)));
        Map<String, INDArray> p2 = new HashMap<>(Map.of("w", p1.get("w").dup()));
        a.step(p1, Map.of("w", Nd4j.rand(DataType.FLOAT, 3, 4)));
        p2.get("w").assign(p1.get("w"));
        AdamW b = new AdamW(AdamW.Config.defaults(), Set.of());
        b.loadStateDict(a.stateDict());
        INDArray g = Nd4j.rand(DataType.FLOAT, 3, 4);
        a.step(p1, Map.of("w", g));
        b.step(p2, Map.of("w", g));
        assertThat(p2.get("w")).isEqualTo(p1.get("w"));
    }

    /** f(w) = 0.5 w^T A w, A diagonal: SAM step with SGD is w - lr A (w + rho A w / ||A w||). */
    @Test
    void samOnAQuadraticTakesTheClosedFormStep() {
        double[] a = {1.0, 4.0, 0.5};
        double[] w0 = {0.7, -0.3, 2.0};
        for (boolean adaptive : new boolean[] {false, true}) {
            Map<String, INDArray> p = new HashMap<>(Map.of("w", vec(w0.clone())));
            INDArray diag = vec(a);
            GradientClosure<Double> quad = perturbed -> {
                INDArray w = p.get("w");
                INDArray g = w.mul(diag);
                return new Evaluation<>(Map.of("w", g), 0.5 * w.mul(g).sumNumber().doubleValue());
            };
            double lr = 0.1;
            double rho = 0.05;
            new SharpnessAwareMinimizer(new Sgd(lr), rho, adaptive).step(p, quad);
            double[] g = new double[3];
            double norm = 0;
            for (int i = 0; i < 3; i++) {
                g[i] = a[i] * w0[i];
                double x = adaptive ? Math.abs(w0[i]) * g[i] : g[i];
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < 3; i++) {
                double e = rho * (adaptive ? w0[i] * w0[i] : 1.0) * g[i] / (norm + 1e-12);
                double expected = w0[i] - lr * a[i] * (w0[i] + e);
                assertThat(p.get("w").getDouble(i)).as("adaptive=" + adaptive + " w" + i)
                        .isCloseTo(expected, within(1e-15));
            }
        }
    }

    /** A two-layer network y = W2 relu(W1 x), loss 0.5 ||y - t||^2, on INDArrays. */
    static final class TinyNet {
        final INDArray x = Nd4j.rand(DataType.FLOAT, 5, 3).subi(0.5);
        final INDArray t = Nd4j.rand(DataType.FLOAT, 5, 2);

        Map<String, INDArray> grads(Map<String, INDArray> p) {
            INDArray h = x.mmul(p.get("w1"));
            INDArray mask = h.gt(0).castTo(DataType.FLOAT);
            INDArray a = h.mul(mask);
            INDArray y = a.mmul(p.get("w2"));
            INDArray dy = y.sub(t);
            INDArray gw2 = a.transpose().mmul(dy);
            INDArray da = dy.mmul(p.get("w2").transpose()).muli(mask);
            INDArray gw1 = x.transpose().mmul(da);
            Map<String, INDArray> g = new LinkedHashMap<>();
            g.put("w1", gw1);
            g.put("w2", gw2);
            return g;
        }
    }

    @Test
    void samStepOnATinyNetworkEqualsTheHandComposedTwoPassUpdate() {
        Nd4j.getRandom().setSeed(5);
        TinyNet net = new TinyNet();
        Map<String, INDArray> p = new HashMap<>();
        p.put("w1", Nd4j.rand(DataType.FLOAT, 3, 4).subi(0.5));
        p.put("w2", Nd4j.rand(DataType.FLOAT, 4, 2).subi(0.5));
        Map<String, INDArray> hand = new HashMap<>();
        p.forEach((k, v) -> hand.put(k, v.dup()));
        Map<String, INDArray> original = new HashMap<>();
        p.forEach((k, v) -> original.put(k, v.dup()));

        List<Boolean> passes = new ArrayList<>();
        SharpnessAwareMinimizer sam = new SharpnessAwareMinimizer(new AdamW(AdamW.Config.defaults(), Set.of()), 0.05,
                false);
        sam.step(p, perturbed -> {
            passes.add(perturbed);
            return new Evaluation<>(net.grads(p), null);
        });
        assertThat(passes).containsExactly(false, true);

        // by hand: g at w, e = rho g/||g||, g2 at w+e, AdamW on w with g2
        Map<String, INDArray> g1 = net.grads(hand);
        double n = Math.sqrt(Math.pow(g1.get("w1").norm2Number().doubleValue(), 2)
                + Math.pow(g1.get("w2").norm2Number().doubleValue(), 2));
        Map<String, INDArray> perturbedW = new HashMap<>();
        hand.forEach((k, v) -> perturbedW.put(k, v.add(g1.get(k).mul(0.05 / (n + 1e-12)))));
        Map<String, INDArray> g2 = net.grads(perturbedW);
        new AdamW(AdamW.Config.defaults(), Set.of()).step(hand, g2);
        assertThat(p.get("w1")).isEqualTo(hand.get("w1"));
        assertThat(p.get("w2")).isEqualTo(hand.get("w2"));
        // and it differs from a plain AdamW step with the first gradient (the perturbation mattered)
        new AdamW(AdamW.Config.defaults(), Set.of()).step(original, g1);
        assertThat(p.get("w1")).isNotEqualTo(original.get("w1"));
    }

    @Test
    void reduceLrOnPlateauFollowsPyTorchSemantics() {
        Sgd opt = new Sgd(1.0);
        ReduceLrOnPlateau s = new ReduceLrOnPlateau(ReduceLrOnPlateau.Config.defaults());
        // epoch 1 sets best=10; six epochs not better by the relative threshold -> lr * 0.9 on the 6th bad
        s.step(10.0, opt);
        for (int i = 1; i <= 5; i++) {
            s.step(10.0 * (1 - 0.5e-4), opt); // within the 1e-4 relative threshold: not better
            assertThat(opt.learningRate()).as("bad epoch " + i).isEqualTo(1.0);
        }
        s.step(10.0, opt);
        assertThat(opt.learningRate()).isCloseTo(0.9, within(1e-15));
        assertThat(s.badEpochs()).isZero();
        // a real improvement resets the count
        s.step(5.0, opt);
        assertThat(s.best()).isEqualTo(5.0);
        for (int i = 0; i < 5; i++) {
            s.step(6.0, opt);
        }
        assertThat(opt.learningRate()).isCloseTo(0.9, within(1e-15));
        s.step(6.0, opt);
        assertThat(opt.learningRate()).isCloseTo(0.81, within(1e-15));
        // state round trip
        ReduceLrOnPlateau copy = new ReduceLrOnPlateau(ReduceLrOnPlateau.Config.defaults());
        copy.loadStateDict(s.stateDict());
        assertThat(copy.stateDict()).isEqualTo(s.stateDict());
    }
}
