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

    /** {@link #available()} and not turned off by {@code -Dumedsam.vectorKernels=false}. */
    public static boolean enabled() {
        return available() && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /**
     * The JVM options that give a child JVM what this one has: {@code --add-modules jdk.incubator.vector} when
     * {@link #available()}, else none.
     */
    public static List<String> jvmOptions() {
        return available() ? List.of("--add-modules", MODULE) : List.of();
    }

    /** One line for logs and benchmarks: which kernels run and why. */
    public static String describe() {
        if (!available()) {
            return "plain-Java kernels (start the JVM with --add-modules " + MODULE + " for the vectorised ones)";
        }
        if (!enabled()) {
            return "plain-Java kernels (-D" + PROPERTY + "=false)";
        }
        return "vectorised kernels (" + lanes() + " float lanes)";
    }

    /** Float lanes per vector of the Vector API in this JVM; only when {@link #available()}. */
    public static int lanes() {
        if (!available()) {
            throw new IllegalStateException("the JVM was started without --add-modules " + MODULE);
        }
        return Lanes.FLOATS;
    }

    /** Loaded only when asked, so that this class loads without the module. */
    private static final class Lanes {
        static final int FLOATS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    }
}
