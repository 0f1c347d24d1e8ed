package org.umedsam.model.cpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.BenchmarkSupport;

/**
 * {@link Gemm} throughput on the encoder's product shapes, with its staging copies and without (the product on
 * operands already off-heap): the MBConv's 1x1 convolutions as one channel-first product over the whole
 * 256 x 256 map against channel-last products on 4096-pixel bands (why {@link MBConv} works in bands), and
 * TinyViT linears. Best of 8 per shape. Prints only; no timed assertions.
 */
@Tag("benchmark")
class GemmShapesBenchmark {

    @Test
    void shapes() {
        System.out.printf("BENCH gemm load %s%n", BenchmarkSupport.loadAverage());
        // m, k, n, transB (1: b is [n, k], a Linear weight)
        int[][] shapes = {{256, 64, 65536, 0}, {64, 256, 65536, 0}, {65536, 64, 256, 1}, {4096, 64, 256, 1},
                {4096, 256, 64, 1}, {4096, 320, 1280, 1}, {4096, 1280, 320, 1}, {16384, 128, 512, 1}};
        for (int[] s : shapes) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            boolean tb = s[3] == 1;
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            float[] c = new float[m * n];
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextFloat();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextFloat();
            }
            INDArray na = Nd4j.create(a, new long[]{m, k}, 'c');
            INDArray nb = tb ? Nd4j.create(b, new long[]{n, k}, 'c') : Nd4j.create(b, new long[]{k, n}, 'c');
            INDArray nc = Nd4j.create(DataType.FLOAT, m, n);
            double staged = 1e9;
            double offHeap = 1e9;
            for (int rep = 0; rep < 8; rep++) {
                long t0 = System.nanoTime();
                Gemm.multiply(a, 0, m, k, b, 0, n, tb, c, 0);
                staged = Math.min(staged, (System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                Nd4j.gemm(na, nb, nc, false, tb, 1.0, 0.0);
                offHeap = Math.min(offHeap, (System.nanoTime() - t0) / 1e9);
            }
            double mac = (double) m * k * n;
            System.out.printf("BENCH gemm %d x %d x %d: staged %.4f s (%.0f GMAC/s), off-heap only %.4f s (%.0f GMAC/s)%n",
                    m, k, n, staged, mac / staged / 1e9, offHeap, mac / offHeap / 1e9);
        }
        System.out.printf("BENCH gemm load %s%n", BenchmarkSupport.loadAverage());
    }
}
