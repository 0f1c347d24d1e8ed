package org.umedsam.model.cpu;

import org.umedsam.model.VectorSupport;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.BenchmarkSupport;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

/**
 * The first embeddings of a fresh JVM, one after another, with the kernels this JVM runs ({@link VectorSupport}):
 * what a command that embeds one image pays. The Vector API's kernels are slow until C2 has compiled them (their
 * interpreted form allocates a vector object per operation), so run it once as is and once with
 * {@code -Dsurefire.argLine=-Dumedsam.vectorKernels=false}, each in its own JVM ({@code run-benchmarks} names the
 * second {@code ColdEmbedBenchmark@plain}). {@code -Dbench.preset} (default small), {@code -Dbench.embeds} (8).
 * Prints only; no timed assertions.
 */
@Tag("benchmark")
class ColdEmbedBenchmark {

    @Test
    void firstEmbeddingsOfAFreshJvm() {
        ModelConfig c = ModelConfig.named(System.getProperty("bench.preset", "small"));
        int embeds = Integer.getInteger("bench.embeds", 8);
        long t0 = System.nanoTime();
        ImageEncoder enc = ImageEncoder.of(c, LiteMedSam.create(c, 1).stateDict());
        double snapshot = (System.nanoTime() - t0) / 1e9;
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, c.imageSize(), c.imageSize());
        StringBuilder times = new StringBuilder();
        for (int i = 0; i < embeds; i++) {
            long e0 = System.nanoTime();
            enc.embed(image);
            times.append(String.format(" %.3f", (System.nanoTime() - e0) / 1e9));
        }
        System.out.printf("BENCH cold %s, %s: snapshot %.3f s; embeddings in order (s):%s; load %s%n",
                System.getProperty("bench.preset", "small"), VectorSupport.describe(), snapshot, times,
                BenchmarkSupport.loadAverage());
    }
}
