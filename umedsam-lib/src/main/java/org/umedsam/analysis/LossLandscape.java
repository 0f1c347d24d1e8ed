package org.umedsam.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.loss.CombinedLoss;
import org.umedsam.loss.CompositeLoss;
import org.umedsam.report.LandscapeLine;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.train.Batch;
import org.umedsam.train.Objective;
import org.umedsam.train.TrainableModel;

/**
 * Slices of a model's loss around its current weights, after Li, Xu, Taylor, Studer and
 * Goldstein 2018, "Visualizing the Loss Landscape of Neural Nets", and a sharpness number in
 * the sense of Foret et al. 2021 (SAM).
 *
 * <p>Directions are Gaussian with <em>filter-wise normalisation</em>: for every trained tensor of
 * rank &gt;= 2 (PyTorch layout, filters along dimension 0) each filter {@code d_i} of the direction
 * is rescaled to the norm of the weights' filter, {@code d_i <- d_i / ||d_i|| * ||theta_i||}, so
 * a step {@code alpha} moves every filter by the same fraction of its size and landscapes of
 * differently scaled networks are comparable. Rank-0/1 tensors (biases, norm scales) get a zero
 * direction (Li et al.'s "ignore biasbn"), and so do parameters outside {@code trained} (a frozen
 * encoder never moved during training).
 *
 * <p>The loss is the training {@link Objective} (the same forward, loss and backward the trainer
 * steps on), evaluated in evaluation mode (running BatchNorm statistics) on a fixed {@link Batch},
 * with a {@link CompositeLoss} at fixed log-sigmas. Parameters are restored exactly after every
 * call, also when it throws.
 */
public final class LossLandscape {
    /**
     * Sharpness estimate: the largest loss increase found within the L2 ball of radius rho
     * around the weights (over the trained tensors).
     *
     * @param rho             radius (absolute, as SAM's rho)
     * @param loss            loss at the weights
     * @param randomIncrease  largest increase over {@code directions} random points on the sphere
     * @param ascentIncrease  increase at the end of projected normalised-gradient ascent
     *                        ({@code ascentSteps} steps of rho/steps; one step is SAM's own
     *                        first-order worst case)
     * @param sharpness       max of the two: a lower bound on the true worst case
     * @param directions      number of random directions tried
     * @param ascentSteps     gradient-ascent steps taken
     */
    public record Sharpness(double rho, double loss, double randomIncrease, double ascentIncrease, double sharpness,
                            int directions, int ascentSteps) {
    }

    private final TrainableModel model;
    private final List<String> trained;
    private final Objective objective;
    private final double[] logSigmas;
    private final Batch batch;

    /**
     * @param model     the model whose live parameters are perturbed (and restored)
     * @param trained   names of the parameters that move (the run's trained group)
     * @param loss      the objective
     * @param logSigmas the objective's log-sigmas (empty for fixed weights)
     * @param batch     the fixed evaluation batch (the same items at every point, so differences between
     *                  points come from the weights alone)
     */
    public LossLandscape(TrainableModel model, Set<String> trained, CompositeLoss loss, double[] logSigmas,
                         Batch batch) {
        if (logSigmas.length != loss.logSigmaCount()) {
            throw new IllegalArgumentException("loss has " + loss.logSigmaCount() + " log-sigmas, got "
                    + logSigmas.length);
        }
        Map<String, INDArray> params = model.parameters();
        this.trained = new ArrayList<>();
        for (String name : trained) {
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("model has no parameter '" + name + "'");
            }
            this.trained.add(name);
        }
        if (this.trained.isEmpty()) {
            throw new IllegalArgumentException("no trained parameters to perturb");
        }
        this.model = model;
        // a point where the loss is not finite is a finding of the landscape, not an error
        this.objective = new Objective(model, loss, Set.copyOf(this.trained), Objective.NonFinite.ACCEPT);
        this.logSigmas = logSigmas.clone();
        this.batch = batch;
    }

    /** The loss at the current weights. */
    public double loss() {
        return evaluate().total();
    }

    /**
     * A filter-normalised Gaussian direction over the trained parameters (zero for rank &lt; 2
     * tensors), reproducible from {@code seed}.
     */
    public Map<String, INDArray> randomDirection(long seed) {
        Map<String, INDArray> params = model.parameters();
        Random rnd = new Random(seed);
        Map<String, INDArray> d = new LinkedHashMap<>();
        for (String name : trained) {
            INDArray p = params.get(name);
            INDArray dir = Nd4j.zeros(DataType.DOUBLE, p.shape());
            if (p.rank() >= 2) {
                long filters = p.size(0);
                long per = p.length() / filters;
                double[] w = p.castTo(DataType.DOUBLE).dup('c').data().asDouble();
                double[] v = new double[w.length];
                for (long f = 0; f < filters; f++) {
                    int from = (int) (f * per);
                    double wn = 0;
                    double vn = 0;
                    for (int i = from; i < from + per; i++) {
                        v[i] = rnd.nextGaussian();
                        wn += w[i] * w[i];
                        vn += v[i] * v[i];
                    }
                    double scale = Math.sqrt(wn) / (Math.sqrt(vn) + 1e-10);
                    for (int i = from; i < from + per; i++) {
                        v[i] *= scale;
                    }
                }
                dir = Nd4j.create(v, p.shape(), 'c');
            }
            d.put(name, dir);
        }
        return d;
    }

    /** {@code loss(theta + alpha * d)} at each alpha. */
    public LandscapeLine line(String label, Map<String, INDArray> d, double[] alphas) {
        double[] losses = new double[alphas.length];
        Map<String, INDArray> origin = snapshot();
        try {
            for (int i = 0; i < alphas.length; i++) {
                moveTo(origin, d, alphas[i], null, 0);
                losses[i] = evaluate().total();
                releaseNative();
            }
        } finally {
            restore(origin);
        }
        return new LandscapeLine(label, alphas, losses);
    }

    /** {@code loss(theta + alpha * d1 + beta * d2)} on the grid. */
    public LandscapeSurface surface(String label, Map<String, INDArray> d1, Map<String, INDArray> d2, double[] alphas,
                                    double[] betas) {
        double[][] losses = new double[betas.length][alphas.length];
        Map<String, INDArray> origin = snapshot();
        try {
            for (int j = 0; j < betas.length; j++) {
                for (int i = 0; i < alphas.length; i++) {
                    moveTo(origin, d1, alphas[i], d2, betas[j]);
                    losses[j][i] = evaluate().total();
                    releaseNative();
                }
            }
        } finally {
            restore(origin);
        }
        return new LandscapeSurface(label, alphas, betas, losses);
    }

    /**
     * Estimates the largest loss increase within {@code ||eps|| <= rho}: the worst of
     * {@code directions} random points on the sphere (isotropic Gaussian, not filter-normalised,
     * so the radius means the same as SAM's rho) and the end point of projected ascent along the
     * normalised gradient.
     */
    public Sharpness sharpness(double rho, int directions, int ascentSteps, long seed) {
        if (!(rho > 0) || directions < 0 || ascentSteps < 0 || directions + ascentSteps == 0) {
            throw new IllegalArgumentException("need rho > 0 and at least one direction or ascent step, got rho=" + rho
                    + ", directions=" + directions + ", ascentSteps=" + ascentSteps);
        }
        Map<String, INDArray> origin = snapshot();
        try {
            double base = evaluate().total();
            double worstRandom = Double.NEGATIVE_INFINITY;
            Random rnd = new Random(seed);
            for (int k = 0; k < directions; k++) {
                Map<String, INDArray> u = new LinkedHashMap<>();
                for (String name : trained) {
                    INDArray p = origin.get(name);
                    double[] v = new double[(int) p.length()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rnd.nextGaussian();
                    }
                    u.put(name, Nd4j.create(v, p.shape(), 'c'));
                }
                scaleToNorm(u, rho);
                moveTo(origin, u, 1.0, null, 0);
                worstRandom = Math.max(worstRandom, evaluate().total() - base);
                releaseNative();
            }
            double ascent = Double.NEGATIVE_INFINITY;
            if (ascentSteps > 0) {
                Map<String, INDArray> eps = new LinkedHashMap<>();
                for (String name : trained) {
                    eps.put(name, Nd4j.zeros(DataType.DOUBLE, origin.get(name).shape()));
                }
                for (int s = 0; s < ascentSteps; s++) {
                    moveTo(origin, eps, 1.0, null, 0);
                    Map<String, INDArray> g = gradient();
                    scaleToNorm(g, rho / ascentSteps);
                    for (String name : trained) {
                        eps.get(name).addi(g.get(name));
                    }
                    double n = norm(eps);
                    if (n > rho) {
                        scaleToNorm(eps, rho);
                    }
                }
                moveTo(origin, eps, 1.0, null, 0);
                ascent = evaluate().total() - base;
            }
            return new Sharpness(rho, base, directions > 0 ? worstRandom : Double.NaN,
                    ascentSteps > 0 ? ascent : Double.NaN, Math.max(worstRandom, ascent), directions, ascentSteps);
        } finally {
            restore(origin);
        }
    }

    /** {@code n} evenly spaced values over [-span, span] (n odd puts 0 on the grid). */
    public static double[] grid(int n, double span) {
        if (n < 2 || !(span > 0)) {
            throw new IllegalArgumentException("need n >= 2 and span > 0, got n=" + n + ", span=" + span);
        }
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = -span + 2 * span * i / (n - 1);
        }
        if (n % 2 == 1) {
            g[n / 2] = 0.0;
        }
        return g;
    }

    // ---- internals ----

    /** ND4J frees a pass' native buffers only when Java collects its arrays: collect between passes. */
    private static void releaseNative() {
        System.gc();
    }

    private CombinedLoss evaluate() {
        return objective.score(batch, logSigmas, false).loss();
    }

    /** d loss / d theta over the trained parameters, as doubles. */
    private Map<String, INDArray> gradient() {
        Map<String, INDArray> g = objective.evaluate(batch, logSigmas, false, false).gradients();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : trained) {
            INDArray gi2 = g.get(name);
            out.put(name, gi2 == null ? Nd4j.zeros(DataType.DOUBLE, model.parameters().get(name).shape())
                    : gi2.castTo(DataType.DOUBLE).reshape(model.parameters().get(name).shape()).dup('c'));
        }
        return out;
    }

    private Map<String, INDArray> snapshot() {
        Map<String, INDArray> params = model.parameters();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : trained) {
            out.put(name, params.get(name).dup());
        }
        return out;
    }

    private void restore(Map<String, INDArray> origin) {
        Map<String, INDArray> params = model.parameters();
        for (String name : trained) {
            params.get(name).assign(origin.get(name));
        }
        model.weightsChanged(trained);
    }

    /** Sets theta = origin + a * d1 (+ b * d2), computing in double and casting to each parameter's type. */
    private void moveTo(Map<String, INDArray> origin, Map<String, INDArray> d1, double a, Map<String, INDArray> d2,
                        double b) {
        Map<String, INDArray> params = model.parameters();
        for (String name : trained) {
            INDArray o = origin.get(name);
            INDArray x = o.castTo(DataType.DOUBLE).add(d1.get(name).reshape(o.shape()).mul(a));
            if (d2 != null) {
                x.addi(d2.get(name).reshape(o.shape()).mul(b));
            }
            params.get(name).assign(x.castTo(o.dataType()));
        }
        model.weightsChanged(trained);
    }

    private static double norm(Map<String, INDArray> v) {
        double s = 0;
        for (INDArray a : v.values()) {
            double n = a.norm2Number().doubleValue();
            s += n * n;
        }
        return Math.sqrt(s);
    }

    private static void scaleToNorm(Map<String, INDArray> v, double target) {
        double n = norm(v);
        if (n == 0) {
            return;
        }
        for (INDArray a : v.values()) {
            a.muli(target / n);
        }
    }
}
