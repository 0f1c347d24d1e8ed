package org.umedsam.model.cpu;

import java.util.Random;

/** What the CPU-kernel tests share: random inputs, double copies for references, error measures, poisoned buffers. */
final class KernelTestSupport {

    private KernelTestSupport() {
    }

    /** {@code n} standard normal values. */
    static float[] rand(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static double[][] toDouble(float[][] a) {
        double[][] d = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            d[i] = toDouble(a[i]);
        }
        return d;
    }

    /** max |a - ref| / max |ref|. */
    static double relErr(float[] a, double[] ref) {
        double e = 0;
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            e = Math.max(e, Math.abs(a[i] - ref[i]));
            m = Math.max(m, Math.abs(ref[i]));
        }
        return e / m;
    }

    /** The dot product, summed in double. */
    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** {@code (f(p_i + h) - f(p_i - h)) / 2h}, with {@code p[i]} restored afterwards. */
    static double centralDifference(double[] p, int i, double h, java.util.function.DoubleSupplier f) {
        double keep = p[i];
        p[i] = keep + h;
        double up = f.getAsDouble();
        p[i] = keep - h;
        double down = f.getAsDouble();
        p[i] = keep;
        return (up - down) / (2 * h);
    }

    /** An off-heap buffer of {@code len} NaNs: a value a kernel leaves unwritten shows. */
    static NativeFloats poisoned(int len) {
        NativeFloats n = new NativeFloats().ensure(len);
        float[] nan = new float[len];
        java.util.Arrays.fill(nan, Float.NaN);
        n.put(0, nan, 0, len);
        return n;
    }

    /** The first {@code len} values of {@code n}. */
    static float[] read(NativeFloats n, int len) {
        float[] out = new float[len];
        n.get(0, out, 0, len);
        return out;
    }
}
