package org.umedsam.model;

import java.util.List;

/**
 * Whether the CPU engine's explicitly vectorised kernels ({@code org.umedsam.model.cpu.VectorWindowAttention},
 * {@code VectorDepthwiseConv3x3}, {@code VectorGelu}, {@code VectorEpilogue}, {@code VectorLayerNorm},
 * {@code VectorDecoderRows}, {@code VectorWindowRows}, {@code VectorDepthwiseRows}, {@code VectorBatchNormRows},
 * {@code VectorGradientRows}) run in this JVM: they use the incubating Vector API, which a JVM offers only when
 * started with {@code --add-modules jdk.incubator.vector} (every launcher in this project passes it: Maven's tests,
 * the notebooks' kernel, {@code experiments/run-main}, grid tasks). Without it the engine uses its plain-Java
 * kernels, which compute the same function (within 2e-6 on attention outputs) more slowly.
 *
 * <p>Why a switch: the Vector API lets a kernel keep a block of results in registers (eight queries by two
 * vectors of keys), which C2's automatic vectorisation of innermost loops cannot; on a 2-core AVX-512 host the
 * window attention took about 40 instead of 123 ms per LiteMedSAM image. {@code -Dumedsam.vectorKernels=false} turns
 * them off (to compare, to reproduce plain-Java numbers bit for bit, or for a JVM that embeds one image: until C2
 * compiles them the Vector API's kernels run interpreted, and a fresh JVM's first embedding took about a second
 * longer, {@code ColdEmbedBenchmark}); the choice is made when a model snapshot is built.
 */
public final class VectorSupport {

    /** The system property that turns the vectorised kernels off when {@code false}. */
    public static final String PROPERTY = "umedsam.vectorKernels";
    private static final String MODULE = "jdk.incubator.vector";

    private VectorSupport() {
    }

    /** The Vector API's module is in this JVM's boot layer ({@code --add-modules jdk.incubator.vector}). */
    public static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /**
     * {@link #available()} and not turned off by {@code -Dumedsam.vectorKernels=false}. The first call that answers
     * yes also warms the Vector API up ({@link WarmUp}), before any kernel is built.
     */
    public static boolean enabled() {
        boolean on = available() && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
        if (on) {
            WarmUp.once();
        }
        return on;
    }

    /**
     * The JVM options that give a child JVM what this one has: {@code --add-modules jdk.incubator.vector} when
     * {@link #available()}, else none.
     */
    public static List<String> jvmOptions() {
        return available() ? List.of("--add-modules", MODULE) : List.of();
    }

    /**
     * {@link #enabled()} and this JVM's Vector API loads and stores vectors in a {@code ByteBuffer}: whether the
     * kernels that work in place in native memory (ND4J's buffers: {@code VectorEpilogue}, {@code VectorLayerNorm}'s
     * rows, {@code VectorDecoderRows}) run, the rest of the engine's vectorised kernels working on arrays.
     *
     * <p>Why a second switch: JDK 17's incubating API has {@code FloatVector.fromByteBuffer} and
     * {@code intoByteBuffer}; later JDKs replaced them with {@code MemorySegment} loads and stores (Temurin 25 has
     * none of the two), so on those the first such call threw {@code NoSuchMethodError} and every embedding failed.
     * There those passes take their plain-Java form (the epilogues the same bits, the LayerNorm and decoder rows
     * within rounding, as without the module).
     */
    public static boolean bufferAccess() {
        return enabled() && Buffers.PRESENT;
    }

    /** One line for logs and benchmarks: which kernels run and why. */
    public static String describe() {
        if (!available()) {
            return "plain-Java kernels (start the JVM with --add-modules " + MODULE + " for the vectorised ones)";
        }
        if (!enabled()) {
            return "plain-Java kernels (-D" + PROPERTY + "=false)";
        }
        return "vectorised kernels (" + lanes() + " float lanes" + (bufferAccess() ? ""
                : "; the passes over native memory plain: this JVM's Vector API has no ByteBuffer loads") + ")";
    }

    /** Float lanes per vector of the Vector API in this JVM; only when {@link #available()}. */
    public static int lanes() {
        if (!available()) {
            throw new IllegalStateException("the JVM was started without --add-modules " + MODULE);
        }
        return Lanes.FLOATS;
    }

    /**
     * Runs each kind of Vector API operation the kernels use (array loads and stores, buffer ones where the API has
     * them ({@link #bufferAccess}), lane-wise binary and ternary operations with vectors and scalars, unary ones,
     * reductions, reinterpretation, shifts) 600 times, once per JVM, when the class initialises: 0.11 to 0.13 s, of
     * which about 30 ms load the API's classes, which the first kernel would load anyway.
     *
     * <p>Why: when C2 compiled the kernels before the API's own generic methods had run a few hundred times (and
     * been compiled with their profiles), it compiled them, in some JVMs, without the intrinsics: every vector
     * operation then allocated on the heap, and the kernel ran three times slower for the rest of the JVM. A probe
     * running the window attention's training kernels alone (2026-12-07, JDK 17, 2-core Zen 4): boxed in 10 of 24
     * JVMs without a warm-up, 7 and 5 of 8 after 1 and 100 iterations of a few operations, 0 of 16 after 1,000 to
     * 2,000, and 0 of 16 with this one. {@code BenchmarkSupport.allocatedBytes} in the benchmarks shows a JVM where
     * it happens anyway.
     */
    private static final class WarmUp {
        /** Keeps the loop's result reachable so the loop is not dead code. */
        static final float SINK;

        static {
            jdk.incubator.vector.VectorSpecies<Float> species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            int lanes = species.length();
            float[] x = new float[2 * lanes];
            float[] y = new float[2 * lanes];
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(4 * lanes)
                    .order(java.nio.ByteOrder.nativeOrder());
            float sink = 0;
            for (int i = 0; i < 600; i++) {
                jdk.incubator.vector.FloatVector a = jdk.incubator.vector.FloatVector.fromArray(species, x, 0);
                jdk.incubator.vector.FloatVector b = jdk.incubator.vector.FloatVector.fromArray(species, y, lanes);
                jdk.incubator.vector.FloatVector c = a.add(b).sub(b.mul(0.5f)).mul(a).max(b).min(a.div(2f))
                        .fma(b, jdk.incubator.vector.FloatVector.broadcast(species, 1f))
                        .fma(0.25f, 0.5f).abs().sqrt();
                c = c.add(jdk.incubator.vector.FloatVector.zero(species).mul(b));
                c = c.reinterpretAsInts().lanewise(jdk.incubator.vector.VectorOperators.LSHL, 0).reinterpretAsFloats();
                c.intoArray(x, 0);
                if (Buffers.PRESENT) {
                    sink += Buffers.roundTrip(c, buffer);
                }
                sink += c.reduceLanes(jdk.incubator.vector.VectorOperators.MAX);
            }
            SINK = sink;
        }

        /** Initialises this class (the warm-up) on the first call; nothing after. */
        static void once() {
        }
    }

    /** Whether the Vector API has its {@code ByteBuffer} loads and stores; loaded only with the module. */
    private static final class Buffers {
        static final boolean PRESENT = present();

        private static boolean present() {
            try {
                jdk.incubator.vector.FloatVector.class.getMethod("fromByteBuffer",
                        jdk.incubator.vector.VectorSpecies.class, java.nio.ByteBuffer.class, int.class,
                        java.nio.ByteOrder.class);
                return true;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }

        /** {@code v} stored to {@code buffer} and loaded back, lanes summed; only when {@link #PRESENT}. */
        static float roundTrip(jdk.incubator.vector.FloatVector v, java.nio.ByteBuffer buffer) {
            v.intoByteBuffer(buffer, 0, java.nio.ByteOrder.nativeOrder());
            return jdk.incubator.vector.FloatVector.fromByteBuffer(v.species(), buffer, 0, java.nio.ByteOrder.nativeOrder())
                    .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        }
    }

    /** Loaded only when asked, so that this class loads without the module. */
    private static final class Lanes {
        static final int FLOATS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    }
}
