package org.umedsam.model.cpu;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RowParallelGemmTest {

    @Test
    void blocksCoverTheRowsInMultiplesOfEight() {
        for (int m : new int[]{1, 7, 64, 1000, 4096, 4097}) {
            for (int threads = 1; threads <= 4; threads++) {
                assertThat(RowParallelGemm.firstRow(m, 0, threads)).isZero();
                assertThat(RowParallelGemm.firstRow(m, threads, threads)).isEqualTo(m);
                for (int t = 1; t < threads; t++) {
                    int r = RowParallelGemm.firstRow(m, t, threads);
                    assertThat(r % 8).isZero();
                    assertThat(r).isBetween(RowParallelGemm.firstRow(m, t - 1, threads), m);
                }
            }
        }
    }

    @Test
    void rowBlocksAgreeWithOneCallAndRepeatBitForBit() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            for (boolean transB : new boolean[]{false, true}) {
                int m = 1000;
                int k = 96;
                int n = 200;
                INDArray b = random(transB ? new long[]{n, k} : new long[]{k, n}, 2);
                NativeFloats a = new NativeFloats().ensure((long) m * k);
                a.put(0, random(new long[]{m, k}, 1).data().asFloat(), 0, m * k);
                NativeFloats c = new NativeFloats().ensure((long) m * n);
                INDArray expected = Nd4j.gemm(a.matrix(m, k), b, false, transB);

                pool.submit(() -> RowParallelGemm.multiply(a, m, k, b, transB, n, c, 0.0)).get();
                float[] first = new float[m * n];
                c.get(0, first, 0, m * n);
                double worst = 0;
                float[] want = expected.data().asFloat();
                for (int i = 0; i < want.length; i++) {
                    worst = Math.max(worst, Math.abs(first[i] - want[i]) / (1 + Math.abs(want[i])));
                }
                assertThat(worst).as("transB " + transB).isLessThan(1e-5);

                // beta = 1 adds to c
                pool.submit(() -> RowParallelGemm.multiply(a, m, k, b, transB, n, c, 1.0)).get();
                float[] twice = new float[m * n];
                c.get(0, twice, 0, m * n);
                for (int i = 0; i < first.length; i += 997) {
                    assertThat(twice[i]).isCloseTo(2 * first[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(first[i]))));
                }

                pool.submit(() -> RowParallelGemm.multiply(a, m, k, b, transB, n, c, 0.0)).get();
                float[] again = new float[m * n];
                c.get(0, again, 0, m * n);
                assertThat(again).as("same inputs, same threads: same bits").isEqualTo(first);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void restoresTheCallingThreadsOpenMpThreads() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            int m = 512;
            int k = 128;
            int n = 128;
            NativeFloats a = new NativeFloats().ensure((long) m * k);
            NativeFloats c = new NativeFloats().ensure((long) m * n);
            INDArray b = random(new long[]{k, n}, 3);
            int[] seen = pool.submit(() -> {
                int before = NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
                RowParallelGemm.multiply(a, m, k, b, false, n, c, 0.0);
                return new int[]{before, NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads()};
            }).get();
            assertThat(seen[1]).isEqualTo(seen[0]);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void rejectsOperandsLargerThanTheirBuffers() {
        NativeFloats a = new NativeFloats().ensure(10);
        NativeFloats c = new NativeFloats().ensure(1 << 20);
        INDArray b = random(new long[]{4, 4}, 4);
        assertThatThrownBy(() -> RowParallelGemm.multiply(a, 1 << 16, 4, b, false, 4, c, 0.0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("view needs more");
    }

    private static INDArray random(long[] shape, long seed) {
        Random r = new Random(seed);
        float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Nd4j.create(v, shape, 'c');
    }
}
