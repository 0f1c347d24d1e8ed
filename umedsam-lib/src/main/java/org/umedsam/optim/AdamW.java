package org.umedsam.optim;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), PyTorch's {@code torch.optim.AdamW}
 * arithmetic: {@code w *= 1 - lr*wd}; {@code m = b1 m + (1-b1) g}; {@code v = b2 v + (1-b2) g^2};
 * {@code w -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}, with a per-parameter step
 * count t. Parameters matched by {@code noDecay} get no weight decay (by default the loss' log-sigmas;
 * the U-MedSAM code decays them too). Parameters may have their own learning rate as a fixed multiple of
 * the (scheduled) rate, like a PyTorch parameter group whose rate a scheduler scales with the others:
 * the group's rate {@code lr_g = scale_g * lr} replaces {@code lr} in both the decay and the step.
 *
 * <p>ND4J M2.1 has no AdamW class (see shared notes), hence this one.
 */
public final class AdamW extends LearningRateOptimizer {

    /**
     * Hyper-parameters; defaults as LiteMedSAM / U-MedSAM train: lr 5e-5, betas 0.9/0.999,
     * eps 1e-8, weight decay 0.01.
     */
    public record Config(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        public Config {
            checkedRate(learningRate);
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must lie in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            }
        }

        public static Config defaults() {
            return new Config(5e-5, 0.9, 0.999, 1e-8, 0.01);
        }
    }

    private final Config config;
    private final Predicate<String> noDecay;
    private final Map<String, Double> learningRateScale;
    private final Map<String, INDArray> m = new TreeMap<>();
    private final Map<String, INDArray> v = new TreeMap<>();
    private final Map<String, Long> steps = new TreeMap<>();

    public AdamW(Config config, Predicate<String> noDecay) {
        this(config, noDecay, Map.of());
    }

    /**
     * @param learningRateScale per parameter name, its learning rate as a multiple of the optimizer's
     *                          (absent: 1); each must be positive and finite
     */
    public AdamW(Config config, Predicate<String> noDecay, Map<String, Double> learningRateScale) {
        super(config.learningRate());
        for (Map.Entry<String, Double> e : learningRateScale.entrySet()) {
            if (!(e.getValue() > 0) || Double.isInfinite(e.getValue())) {
                throw new IllegalArgumentException("learning rate scale of '" + e.getKey()
                        + "' must be positive and finite, got " + e.getValue());
            }
        }
        this.config = config;
        this.noDecay = noDecay;
        this.learningRateScale = Map.copyOf(learningRateScale);
    }

    public AdamW(Config config, Set<String> noDecayNames) {
        this(config, noDecayNames::contains);
    }

    public Config config() {
        return config;
    }

    @Override
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients) {
        for (Map.Entry<String, INDArray> e : new TreeMap<>(gradients).entrySet()) {
            String name = e.getKey();
            INDArray w = parameters.get(name);
            if (w == null) {
                throw new IllegalArgumentException("gradient for unknown parameter '" + name + "'");
            }
            INDArray g = e.getValue().castTo(w.dataType());
            if (!java.util.Arrays.equals(w.shape(), g.shape())) {
                throw new IllegalArgumentException("gradient of '" + name + "' has shape "
                        + java.util.Arrays.toString(g.shape()) + ", parameter " + java.util.Arrays.toString(w.shape()));
            }
            INDArray mi = m.computeIfAbsent(name, k -> Nd4j.zeros(w.dataType(), w.shape()));
            INDArray vi = v.computeIfAbsent(name, k -> Nd4j.zeros(w.dataType(), w.shape()));
            long t = steps.merge(name, 1L, Long::sum);
            double lrName = learningRate() * learningRateScale.getOrDefault(name, 1.0);
            double decay = config.weightDecay() > 0 && !noDecay.test(name) ? 1.0 - lrName * config.weightDecay() : 1.0;
            double bc1 = 1.0 - Math.pow(config.beta1(), t);
            double bc2 = 1.0 - Math.pow(config.beta2(), t);
            ElementwiseUpdates.adamW(w, g, mi, vi, decay, config.beta1(), config.beta2(), Math.sqrt(bc2),
                    config.epsilon(), lrName / bc1);
        }
    }

    @Override
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> out = rateState();
        for (String name : m.keySet()) {
            out.put("m/" + name, m.get(name).dup());
            out.put("v/" + name, v.get(name).dup());
            out.put("step/" + name, Nd4j.scalar(DataType.LONG, steps.get(name)));
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, INDArray> state) {
        m.clear();
        v.clear();
        steps.clear();
        for (Map.Entry<String, INDArray> e : state.entrySet()) {
            String k = e.getKey();
            if (k.equals(RATE_KEY)) {
                restoreRate(e.getValue());
            } else if (k.startsWith("m/")) {
                m.put(k.substring(2), e.getValue().dup());
            } else if (k.startsWith("v/")) {
                v.put(k.substring(2), e.getValue().dup());
            } else if (k.startsWith("step/")) {
                steps.put(k.substring(5), e.getValue().getLong(0));
            } else {
                throw new IllegalArgumentException("unknown AdamW state key '" + k + "'");
            }
        }
        if (!m.keySet().equals(v.keySet()) || !m.keySet().equals(steps.keySet())) {
            throw new IllegalArgumentException("AdamW state is inconsistent: m, v and step keys differ");
        }
    }
}
