package org.umedsam.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.io.AtomicFiles;
import org.umedsam.io.Sha256;

/**
 * Image embeddings kept across models whose image encoders hold identical weights, so that scoring several
 * fine-tuned models on one test split embeds each image once. The ablation profiles train only the mask
 * decoder (the image encoder stays the base model's), so their twelve runs share every embedding: without
 * this, embedding is most of the evaluation time (378 embeddings of 0.27 s per run on the default data).
 *
 * <p>Keys are content fingerprints, never object identities: SHA-256 over the model's image-encoder
 * parameters and buffers (with its preset, data type and the engine's {@link Engine#numerics()}, which names the
 * CPU engine's kernel set), computed once per model and encoder weight version
 * ({@link LiteMedSam#encoderWeightVersion()}), and SHA-256 over the prepared input {@code [1, 3, 256, 256]}. A hit
 * therefore returns exactly what {@link LiteMedSam#embed} would.
 *
 * <p>Memory is bounded by {@code capacityBytes} (4 MiB per small-preset embedding
 * {@code [1, 256, 64, 64]} float): when full, new embeddings are computed but not kept, rather than evicting
 * old ones; a scan in the same order each time (the test split, run after run) then keeps hitting on its
 * first part instead of thrashing as LRU would. Not thread-safe; share one per thread.
 *
 * <p>With a folder ({@link #EmbeddingCache(long, Path, long)}) embeddings also outlive the process, so each
 * notebook's kernel of a study does not embed the test split again.
 *
 * <p>Timing with a cache measures cache hits, not the model: efficiency figures time without one.
 */
public final class EmbeddingCache {
    /** First bytes of an embedding file: format name and version. */
    private static final byte[] MAGIC = "UMSEMB1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Largest embedding file read back (a LiteMedSAM embedding is 4 MiB). */
    private static final long MAX_FILE_BYTES = 64L << 20;

    private final long capacityBytes;
    private final Path directory;
    private final long directoryCapacityBytes;
    private long directoryBytes = -1;
    private long diskHits;
    private final Map<String, float[]> entries = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<LiteMedSam, Fingerprint> fingerprints = new WeakHashMap<>();
    private long bytes;
    private long hits;
    private long misses;

    private record Fingerprint(long version, String hex) {
    }

    /** @param capacityBytes most bytes of embeddings kept (0: keep none, every call embeds) */
    public EmbeddingCache(long capacityBytes) {
        this(capacityBytes, null, 0);
    }

    /**
     * A cache that also keeps embeddings as files in {@code directory}, so that other processes with the same encoder
     * weights (each notebook's kernel, a resumed study) find them: a file is named by the SHA-256 of its key, holds
     * its shape and floats, and is written atomically; one that does not read back as a whole embedding is
     * recomputed and rewritten. At most {@code directoryCapacityBytes} are written to the folder.
     *
     * @param directory created when missing; null: memory only
     */
    public EmbeddingCache(long capacityBytes, Path directory, long directoryCapacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacityBytes must be >= 0, got " + capacityBytes);
        }
        if (directoryCapacityBytes < 0) {
            throw new IllegalArgumentException("directoryCapacityBytes must be >= 0, got " + directoryCapacityBytes);
        }
        this.capacityBytes = capacityBytes;
        this.directory = directory;
        this.directoryCapacityBytes = directoryCapacityBytes;
    }

    /** A cache of at most a quarter of the JVM's maximum heap (the embeddings live on the heap). */
    public static EmbeddingCache quarterOfHeap() {
        return new EmbeddingCache(Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * {@code model.embed(images)}, from the cache when an encoder with the same weights embedded the same input.
     *
     * @param images {@code [1, 3, 256, 256]}
     * @return {@code [1, 256, 64, 64]} (a fresh array on every call)
     */
    public INDArray embed(LiteMedSam model, INDArray images) {
        if (capacityBytes == 0 && directory == null) {
            misses++; // keeps nothing: no key to compute
            return model.embed(images);
        }
        String key = fingerprint(model) + ":" + digest(images);
        float[] kept = entries.get(key);
        if (kept != null) {
            hits++;
            return NdArrays.fromHeap(kept, kept.length, shapes.get(key)).castTo(model.dataType());
        }
        if (directory != null) {
            INDArray found = readFile(key);
            if (found != null) {
                hits++;
                diskHits++;
                keep(key, found);
                return found.castTo(model.dataType());
            }
        }
        misses++;
        INDArray e = model.embed(images);
        keep(key, e);
        if (directory != null) {
            writeFile(key, e);
        }
        return e;
    }

    private void keep(String key, INDArray e) {
        long size = e.length() * Float.BYTES;
        if (bytes + size <= capacityBytes) {
            entries.put(key, NdArrays.toHeap(e));
            shapes.put(key, e.shape());
            bytes += size;
        }
    }

    private Path file(String key) {
        MessageDigest md = Sha256.newDigest();
        md.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return directory.resolve(Sha256.hex(md.digest()) + ".emb");
    }

    /** The embedding kept in the folder under {@code key}, or null when there is none that reads back whole. */
    private INDArray readFile(String key) {
        Path f = file(key);
        try {
            long size = Files.size(f);
            if (size > MAX_FILE_BYTES || size < MAGIC.length + 4) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                return null;
            }
            int rank = b.getInt();
            if (rank < 1 || rank > 8 || b.remaining() < 8L * rank) {
                return null;
            }
            long[] shape = new long[rank];
            long n = 1;
            for (int i = 0; i < rank; i++) {
                shape[i] = b.getLong();
                if (shape[i] < 1 || shape[i] > MAX_FILE_BYTES) {
                    return null;
                }
                n *= shape[i];
            }
            if (n * Float.BYTES != b.remaining()) {
                return null;
            }
            float[] v = new float[(int) n];
            b.asFloatBuffer().get(v);
            return NdArrays.fromHeap(v, v.length, shape);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null; // unreadable: recomputed, and rewritten below
        }
    }

    /** Writes {@code e} under {@code key} (temporary file, then an atomic rename), within the folder's capacity. */
    private void writeFile(String key, INDArray e) {
        try {
            if (directoryBytes < 0) {
                Files.createDirectories(directory);
                try (java.util.stream.Stream<Path> files = Files.list(directory)) {
                    directoryBytes = files.mapToLong(p -> p.toFile().length()).sum();
                }
            }
            float[] v = NdArrays.toHeap(e);
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + 8 * e.rank() + v.length * Float.BYTES);
            b.put(MAGIC).putInt(e.rank());
            for (long d : e.shape()) {
                b.putLong(d);
            }
            b.asFloatBuffer().put(v);
            if (directoryBytes + b.capacity() > directoryCapacityBytes) {
                return;
            }
            AtomicFiles.write(file(key), b.array());
            directoryBytes += b.capacity();
        } catch (IOException ex) {
            // a cache that cannot write only loses its speed-up; the embedding itself is correct
        }
    }

    /** Hits served from the folder rather than from memory. */
    public long diskHits() {
        return diskHits;
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    /** Bytes of embeddings held. */
    public long bytes() {
        return bytes;
    }

    private String fingerprint(LiteMedSam model) {
        Fingerprint f = fingerprints.get(model);
        if (f == null || f.version() != model.encoderWeightVersion()) {
            f = new Fingerprint(model.encoderWeightVersion(), encoderDigest(model));
            fingerprints.put(model, f);
        }
        return f.hex();
    }

    private static String encoderDigest(LiteMedSam model) {
        MessageDigest md = Sha256.newDigest();
        md.update((model.config().toString() + "|" + model.dataType() + "|" + model.engine().numerics()).getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        Map<String, INDArray> encoder = new TreeMap<>();
        model.parameters().forEach((k, v) -> put(encoder, k, v));
        model.buffers().forEach((k, v) -> put(encoder, k, v));
        for (Map.Entry<String, INDArray> e : encoder.entrySet()) {
            md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            update(md, e.getValue());
        }
        return Sha256.hex(md.digest());
    }

    private static void put(Map<String, INDArray> encoder, String key, INDArray value) {
        if (key.startsWith(Component.IMAGE_ENCODER.prefix())) {
            encoder.put(key, value);
        }
    }

    static String digest(INDArray images) {
        MessageDigest md = Sha256.newDigest();
        update(md, images);
        return Sha256.hex(md.digest());
    }

    private static void update(MessageDigest md, INDArray a) {
        ByteBuffer shape = ByteBuffer.allocate(8 * (a.rank() + 1));
        shape.putLong(a.rank());
        for (long d : a.shape()) {
            shape.putLong(d);
        }
        md.update(shape.array());
        md.update(a.dataType().name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (NdArrays.wholeFloatBuffer(a)) {
            updateFloats(md, a);
            return;
        }
        INDArray c = a.dup('c');
        switch (a.dataType()) {
            case DOUBLE -> {
                ByteBuffer b = ByteBuffer.allocate((int) c.length() * Double.BYTES);
                b.asDoubleBuffer().put(c.data().asDouble());
                md.update(b.array());
            }
            case FLOAT -> updateFloats(md, c);
            default -> {
                ByteBuffer b = ByteBuffer.allocate((int) c.length() * Long.BYTES);
                b.asLongBuffer().put(c.data().asLong());
                md.update(b.array());
            }
        }
    }

    /** Floats digested per bulk read (64 KB). */
    private static final int CHUNK = 1 << 14;

    /**
     * The float32 values of {@code a} (a whole c-order buffer, {@link NdArrays#wholeFloatBuffer}) digested as
     * big-endian bytes, the form keys have always had, read from the native buffer in chunks: without the
     * value-by-value copies of {@code data().asFloat()} and a whole-array byte copy (an input image is 0.8 MB and
     * the ablations look up thousands; the encoder's weights are digested once per weight version).
     */
    private static void updateFloats(MessageDigest md, INDArray a) {
        int n = (int) a.length();
        if (n == 0) {
            return; // an empty array has no buffer (and no values to digest)
        }
        java.nio.FloatBuffer values = NdArrays.floats(a);
        float[] chunk = new float[Math.min(CHUNK, n)];
        ByteBuffer bytes = ByteBuffer.allocate(chunk.length * Float.BYTES); // big-endian
        for (int i = 0; i < n; i += CHUNK) {
            int len = Math.min(CHUNK, n - i);
            values.get(i, chunk, 0, len);
            bytes.clear();
            bytes.asFloatBuffer().put(chunk, 0, len);
            md.update(bytes.array(), 0, len * Float.BYTES);
        }
    }
}
