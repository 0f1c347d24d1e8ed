package org.umedsam.model.cpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.NdArrays;

/**
 * The decoder's check that a call's embedding is the cached image context's ({@link ImageContext#isFor}): copying
 * the embedding to the heap and comparing, against comparing it where it lives, means of 400 calls each after
 * 400 warm-up calls. Prints only.
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=ImageContextBenchmark -Dgroups=benchmark -DexcludedGroups=none}
 */
@Tag("benchmark")
class ImageContextBenchmark {
    @Test
    void checkSpeed() {
        INDArray embedding = Nd4j.randn(DataType.FLOAT, 1, 256, 64, 64);
        Object owner = new Object();
        ImageContext ctx = new ImageContext(owner, NdArrays.toHeap(embedding), new float[0], new float[0], null);
        int calls = 400;
        long copyThenCompare = 0;
        long inPlace = 0;
        boolean same = true;
        for (int k = 0; k < 2 * calls; k++) { // the first half warms up the JIT
            long t0 = System.nanoTime();
            same &= ctx.isFor(owner, NdArrays.toHeap(embedding));
            long t1 = System.nanoTime();
            same &= ctx.isFor(owner, embedding);
            long t2 = System.nanoTime();
            if (k >= calls) {
                copyThenCompare += t1 - t0;
                inPlace += t2 - t1;
            }
        }
        System.out.printf("BENCH image context check, 1x256x64x64 embedding: copy then compare %.3f ms, compare in place "
                + "%.3f ms per call (same values: %s)%n", copyThenCompare / 1e6 / calls, inPlace / 1e6 / calls, same);
    }
}
