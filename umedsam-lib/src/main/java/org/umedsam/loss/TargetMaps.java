package org.umedsam.loss;

import org.umedsam.geometry.DistanceTransform;

/**
 * One binary target [H, W] with the distance maps the distance-based losses need, computed once
 * per target (cache it with the sample, not per step).
 *
 * <p>{@code shapeDistanceMap} follows Huang et al. 2021 / MONAI PR #4205 as the U-MedSAM code uses
 * it: {@code D = sigmoid((1 - dt / (max(dt) + 1e-8)) / 0.2) * t}, {@code dt} the exact Euclidean
 * distance of each foreground pixel to the nearest background pixel (0 where t is empty).
 *
 * <p>{@code signedDistanceMap} is Kervadec et al. 2019 (boundary loss):
 * {@code phi = EDT(1-t)*(1-t) - (EDT(t) - 1)*t}, and {@code phi = 0} for an empty target.
 *
 * @param height           H
 * @param width            W
 * @param target           0/1 values, C-order [H, W]
 * @param shapeDistanceMap D, [H, W]
 * @param signedDistanceMap phi, [H, W]
 * @param foregroundPixels number of target pixels equal to 1
 */
public record TargetMaps(int height, int width, double[] target, double[] shapeDistanceMap,
                         double[] signedDistanceMap, int foregroundPixels) {

    /** Temperature of the sigmoid in the shape-distance map (Huang et al. 2021). */
    public static final double SHAPE_TEMPERATURE = 0.2;

    public TargetMaps {
        int n = height * width;
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + height + "x" + width);
        }
        if (target.length != n || shapeDistanceMap.length != n || signedDistanceMap.length != n) {
            throw new IllegalArgumentException("maps must hold " + n + " values for " + height + "x" + width);
        }
    }

    /** Builds the maps for a target given as values (anything above 0.5 is foreground). */
    public static TargetMaps of(double[] targetValues, int height, int width) {
        int n = height * width;
        if (targetValues.length != n) {
            throw new IllegalArgumentException("target has " + targetValues.length + " values, expected "
                    + height + "x" + width);
        }
        boolean[] fg = new boolean[n];
        boolean[] bg = new boolean[n];
        double[] t = new double[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            fg[i] = targetValues[i] > 0.5;
            bg[i] = !fg[i];
            t[i] = fg[i] ? 1.0 : 0.0;
            if (fg[i]) {
                count++;
            }
        }
        double[] shape = new double[n];
        double[] phi = new double[n];
        if (count > 0) {
            int[] dims = {height, width};
            double[] unit = {1.0, 1.0};
            // distance of foreground pixels to the nearest background pixel (SciPy edt(t));
            // a target that fills the whole image has no background: its distance is taken as 0
            double[] dtIn = finiteOrZero(DistanceTransform.distanceToBackground(fg, dims, unit));
            double max = 0;
            for (double v : dtIn) {
                max = Math.max(max, v);
            }
            for (int i = 0; i < n; i++) {
                if (fg[i]) {
                    double z = (1.0 - dtIn[i] / (max + 1e-8)) / SHAPE_TEMPERATURE;
                    shape[i] = 1.0 / (1.0 + Math.exp(-z));
                }
            }
            // distance of background pixels to the nearest foreground pixel (SciPy edt(1 - t))
            double[] dtOut = finiteOrZero(DistanceTransform.distanceToBackground(bg, dims, unit));
            for (int i = 0; i < n; i++) {
                phi[i] = fg[i] ? -(dtIn[i] - 1.0) : dtOut[i];
            }
        }
        return new TargetMaps(height, width, t, shape, phi, count);
    }

    /** Builds the maps from a uint8/bool-like mask ({@code != 0} is foreground). */
    public static TargetMaps of(byte[] mask, int height, int width) {
        double[] v = new double[mask.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = mask[i] != 0 ? 1.0 : 0.0;
        }
        return of(v, height, width);
    }

    public boolean isEmpty() {
        return foregroundPixels == 0;
    }

    private static double[] finiteOrZero(double[] d) {
        for (int i = 0; i < d.length; i++) {
            if (Double.isInfinite(d[i])) {
                d[i] = 0.0;
            }
        }
        return d;
    }
}
