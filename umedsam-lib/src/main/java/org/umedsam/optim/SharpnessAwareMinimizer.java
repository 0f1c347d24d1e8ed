package org.umedsam.optim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Sharpness-Aware Minimization (Foret et al., ICLR 2021), with the adaptive variant ASAM (Kwon et
 * al., ICML 2021) as an option; the arithmetic of davda54/sam:
 * <ol>
 *   <li>g = gradient at w (first pass);</li>
 *   <li>{@code e = rho * g / (||g|| + 1e-12)}, or for ASAM {@code e = rho * w^2 g / (||(|w| g)|| + 1e-12)},
 *       norms over all trained parameters together;</li>
 *   <li>gradient at w + e (second pass; the caller must not update BatchNorm running statistics);</li>
 *   <li>w restored exactly (a saved copy, not a subtraction) and the base optimizer steps with the
 *       second gradient.</li>
 * </ol>
 * Only parameters that have a gradient are perturbed.
 */
public final class SharpnessAwareMinimizer {
    /** Result of one two-pass step: both passes and the first pass' (un-scaled) gradient norm. */
    public record Step<T>(Evaluation<T> first, Evaluation<T> second, double gradNorm) {
    }

    private final Optimizer base;
    private final double rho;
    private final boolean adaptive;
    /**
     * Each perturbed parameter's value before the ascent step, restored after the second pass; kept from step to
     * step so that a step copies into it instead of allocating it again.
     */
    private final Map<String, INDArray> saved = new HashMap<>();

    public SharpnessAwareMinimizer(Optimizer base, double rho, boolean adaptive) {
        if (!(rho >= 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("rho must be >= 0 and finite, got " + rho);
        }
        this.base = base;
        this.rho = rho;
        this.adaptive = adaptive;
    }

    public Optimizer base() {
        return base;
    }

    public double rho() {
        return rho;
    }

    public boolean adaptive() {
        return adaptive;
    }

    /** Runs both passes and the base step; {@code parameters} are updated in place. */
    public <T> Step<T> step(Map<String, INDArray> parameters, GradientClosure<T> closure) {
        Evaluation<T> first = closure.evaluate(false);
        Map<String, INDArray> g = new TreeMap<>(first.gradients());
        double gradNorm = GradientNorm.of(g);
        // SAM's norm is the gradient norm itself (the same sum in the same order); ASAM's weighs it by |w|
        double scaledNorm = gradNorm;
        if (adaptive) {
            double scaledSq = 0;
            for (Map.Entry<String, INDArray> e : g.entrySet()) {
                INDArray w = param(parameters, e.getKey());
                double n = Transforms.abs(w, true).muli(e.getValue().castTo(w.dataType())).norm2Number().doubleValue();
                scaledSq += n * n;
            }
            scaledNorm = Math.sqrt(scaledSq);
        }
        double scale = rho / (scaledNorm + 1e-12);
        List<String> perturbed = new ArrayList<>();
        Evaluation<T> second;
        try {
            for (Map.Entry<String, INDArray> e : g.entrySet()) {
                INDArray w = param(parameters, e.getKey());
                INDArray copy = saved.get(e.getKey());
                if (copy != null && copy.dataType() == w.dataType() && copy.equalShapes(w)) {
                    copy.assign(w);
                } else {
                    saved.put(e.getKey(), w.dup());
                }
                perturbed.add(e.getKey());
                ElementwiseUpdates.perturb(w, e.getValue().castTo(w.dataType()), scale, adaptive);
            }
            second = closure.evaluate(true);
        } finally {
            for (String name : perturbed) {
                parameters.get(name).assign(saved.get(name));
            }
        }
        base.step(parameters, second.gradients());
        return new Step<>(first, second, gradNorm);
    }

    private static INDArray param(Map<String, INDArray> parameters, String name) {
        INDArray w = parameters.get(name);
        if (w == null) {
            throw new IllegalArgumentException("gradient for unknown parameter '" + name + "'");
        }
        return w;
    }
}
