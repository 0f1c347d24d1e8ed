package org.umedsam.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

class EmbeddingCacheTest {
    private static INDArray image(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, 1, 3, 256, 256);
    }

    @Test
    void aSecondModelWithTheSameEncoderWeightsGetsTheSameEmbeddingWithoutEmbedding() {
        LiteMedSam a = LiteMedSam.create(ModelConfig.small(), 3);
        LiteMedSam b = LiteMedSam.create(ModelConfig.small(), 3);
        // b's mask decoder differs: the cache keys on the image encoder only
        b.parameters().entrySet().stream().filter(e -> e.getKey().startsWith("mask_decoder.")).findFirst()
                .orElseThrow().getValue().addi(1);
        EmbeddingCache cache = new EmbeddingCache(1L << 30);
        INDArray x = image(1);
        INDArray first = cache.embed(a, x);
        INDArray second = cache.embed(b, x.dup());
        assertThat(cache.misses()).isEqualTo(1);
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(second).isEqualTo(first);
        assertThat(second).isEqualTo(b.embed(x));
        cache.embed(a, image(2));
        assertThat(cache.misses()).isEqualTo(2);
    }

    @Test
    void embeddingsOfTheOtherCpuKernelSetMiss() {
        // the vectorised and the plain-Java kernels round differently: a hit must return what embed would
        LiteMedSam vector = LiteMedSam.create(ModelConfig.small(), 3);
        EmbeddingCache cache = new EmbeddingCache(1L << 30);
        INDArray x = image(1);
        INDArray first = cache.embed(vector, x);
        PlainKernels.run(() -> {
            LiteMedSam plain = LiteMedSam.create(ModelConfig.small(), 3);
            assertThat(plain.engine().numerics()).isEqualTo("CPU/plain");
            assertThat(vector.engine().numerics()).isEqualTo("CPU/plain");
            INDArray second = cache.embed(plain, x.dup());
            assertThat(cache.hits()).isZero();
            // exact comparisons (INDArray.equals allows 1e-5)
            assertThat(second.data().asFloat()).containsExactly(plain.embed(x).data().asFloat());
            assertThat(second.data().asFloat()).isNotEqualTo(first.data().asFloat());
        });
    }

    @Test
    void otherEncoderWeightsOrWeightsChangedInPlaceMiss() {
        LiteMedSam a = LiteMedSam.create(ModelConfig.small(), 3);
        LiteMedSam other = LiteMedSam.create(ModelConfig.small(), 4);
        EmbeddingCache cache = new EmbeddingCache(1L << 30);
        INDArray x = image(1);
        cache.embed(a, x);
        cache.embed(other, x);
        assertThat(cache.hits()).isZero();
        Map.Entry<String, INDArray> w = a.parameters().entrySet().stream()
                .filter(e -> e.getKey().startsWith("image_encoder.")).findFirst().orElseThrow();
        w.getValue().muli(1.5);
        a.weightsChanged();
        INDArray after = cache.embed(a, x);
        assertThat(cache.hits()).isZero();
        assertThat(after).isEqualTo(a.embed(x));
    }

    @Test
    void aFullCacheComputesWithoutKeeping() {
        LiteMedSam a = LiteMedSam.create(ModelConfig.small(), 3);
        EmbeddingCache none = new EmbeddingCache(0);
        INDArray x = image(1);
        none.embed(a, x);
        none.embed(a, x);
        assertThat(none.hits()).isZero();
        assertThat(none.bytes()).isZero();
        EmbeddingCache one = new EmbeddingCache(a.embed(x).length() * Float.BYTES);
        one.embed(a, x);
        one.embed(a, image(2)); // no room: computed, not kept
        one.embed(a, x);
        one.embed(a, image(2));
        assertThat(one.hits()).isEqualTo(1);
        assertThat(one.misses()).isEqualTo(3);
    }

    /**
     * Embedding files outlive the cache (another process, e.g. the next notebook's kernel, finds them); a file that
     * does not read back whole is recomputed and rewritten; a folder at its capacity is not written.
     */
    @Test
    void filesAreFoundByAnotherCacheAndBrokenOnesAreRecomputed(@TempDir Path dir) throws Exception {
        LiteMedSam a = LiteMedSam.create(ModelConfig.small(), 3);
        INDArray x = image(1);
        EmbeddingCache first = new EmbeddingCache(0, dir, 1L << 30);
        INDArray computed = first.embed(a, x);
        assertThat(first.misses()).isEqualTo(1);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        assertThat(files).hasSize(1);

        EmbeddingCache second = new EmbeddingCache(1L << 30, dir, 1L << 30);
        assertThat(second.embed(LiteMedSam.create(ModelConfig.small(), 3), x)).isEqualTo(computed);
        assertThat(second.diskHits()).isEqualTo(1);
        assertThat(second.misses()).isZero();

        byte[] whole = Files.readAllBytes(files.get(0));
        Files.write(files.get(0), java.util.Arrays.copyOf(whole, whole.length - 5)); // truncated
        EmbeddingCache third = new EmbeddingCache(0, dir, 1L << 30);
        assertThat(third.embed(a, x)).isEqualTo(computed);
        assertThat(third.misses()).isEqualTo(1);
        assertThat(Files.readAllBytes(files.get(0))).isEqualTo(whole); // rewritten

        EmbeddingCache full = new EmbeddingCache(0, dir, whole.length); // room for the one file already there
        full.embed(a, image(2));
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(1);
        }
    }

    /** The key's form as written before keys were read in chunks from the native buffer: files from then still hit. */
    private static String referenceDigest(INDArray a) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        java.nio.ByteBuffer shape = java.nio.ByteBuffer.allocate(8 * (a.rank() + 1));
        shape.putLong(a.rank());
        for (long d : a.shape()) {
            shape.putLong(d);
        }
        md.update(shape.array());
        md.update(a.dataType().name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        float[] v = a.dup('c').data().asFloat();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * Float.BYTES);
        b.asFloatBuffer().put(v);
        md.update(b.array());
        StringBuilder hex = new StringBuilder();
        for (byte x : md.digest()) {
            hex.append(String.format("%02x", x));
        }
        return hex.toString();
    }

    @Test
    void inputKeysAreShapeTypeAndBigEndianValuesWholeOrViewedAndAcrossChunks() throws Exception {
        Nd4j.getRandom().setSeed(5);
        INDArray whole = Nd4j.randn(DataType.FLOAT, 3, 100, 100); // 30,000 values: one whole chunk and a part
        whole.putScalar(7, Float.intBitsToFloat(0x7fc00123)); // a NaN payload, digested as its bits
        assertThat(EmbeddingCache.digest(whole)).isEqualTo(referenceDigest(whole));
        INDArray view = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
        assertThat(view.isView()).isTrue();
        assertThat(EmbeddingCache.digest(view)).isEqualTo(referenceDigest(view)).isEqualTo(EmbeddingCache.digest(view.dup('c')));
        INDArray small = Nd4j.createFromArray(new float[] {1.5f, -0f, 0f});
        assertThat(EmbeddingCache.digest(small)).isEqualTo(referenceDigest(small))
                .isNotEqualTo(EmbeddingCache.digest(Nd4j.createFromArray(new float[] {1.5f, 0f, 0f})));
        assertThat(EmbeddingCache.digest(Nd4j.create(DataType.FLOAT, 0, 3))).as("empty arrays: shape only")
                .isNotEqualTo(EmbeddingCache.digest(Nd4j.create(DataType.FLOAT, 0, 4)));
    }
}
