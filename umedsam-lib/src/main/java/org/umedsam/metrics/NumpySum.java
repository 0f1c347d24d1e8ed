package org.umedsam.metrics;

/**
 * NumPy's pairwise summation of a contiguous float64 array ({@code np.sum}, {@code np.mean}):
 * blocks of at most 128 elements summed with eight interleaved accumulators, larger runs split in
 * halves rounded to multiples of eight. Used wherever upstream calls {@code np.sum}, so that
 * percentiles and tolerance shares see the same totals to the last bit (a share of exactly 0.5
 * stays exactly 0.5).
 */
final class NumpySum {
    private static final int BLOCK = 128;

    private NumpySum() {
    }

    static double sum(double[] a) {
        return sum(a, 0, a.length);
    }

    static double sum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double r0 = a[from];
            double r1 = a[from + 1];
            double r2 = a[from + 2];
            double r3 = a[from + 3];
            double r4 = a[from + 4];
            double r5 = a[from + 5];
            double r6 = a[from + 6];
            double r7 = a[from + 7];
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                int b = from + i;
                r0 += a[b];
                r1 += a[b + 1];
                r2 += a[b + 2];
                r3 += a[b + 3];
                r4 += a[b + 4];
                r5 += a[b + 5];
                r6 += a[b + 6];
                r7 += a[b + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return sum(a, from, n2) + sum(a, from + n2, n - n2);
    }
}
