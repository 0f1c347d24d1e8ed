package org.umedsam.metrics;

/**
 * Sorts two parallel arrays by (key, value) ascending, as Python's {@code sorted(zip(keys, values))}
 * in upstream's {@code _sort_distances_surfels}; a primitive merge sort, so that millions of
 * surfels sort without boxing.
 */
final class PairSort {
    private PairSort() {
    }

    static void sort(double[] keys, double[] values) {
        int n = keys.length;
        if (n < 2) {
            return;
        }
        double[] k2 = new double[n];
        double[] v2 = new double[n];
        double[] srcK = keys;
        double[] srcV = values;
        double[] dstK = k2;
        double[] dstV = v2;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int o = lo;
                while (i < mid && j < hi) {
                    if (lessOrEqual(srcK[i], srcV[i], srcK[j], srcV[j])) {
                        dstK[o] = srcK[i];
                        dstV[o++] = srcV[i++];
                    } else {
                        dstK[o] = srcK[j];
                        dstV[o++] = srcV[j++];
                    }
                }
                while (i < mid) {
                    dstK[o] = srcK[i];
                    dstV[o++] = srcV[i++];
                }
                while (j < hi) {
                    dstK[o] = srcK[j];
                    dstV[o++] = srcV[j++];
                }
            }
            double[] t = srcK;
            srcK = dstK;
            dstK = t;
            t = srcV;
            srcV = dstV;
            dstV = t;
        }
        if (srcK != keys) {
            System.arraycopy(srcK, 0, keys, 0, n);
            System.arraycopy(srcV, 0, values, 0, n);
        }
    }

    private static boolean lessOrEqual(double k1, double v1, double k2, double v2) {
        return k1 < k2 || (k1 == k2 && v1 <= v2);
    }
}
