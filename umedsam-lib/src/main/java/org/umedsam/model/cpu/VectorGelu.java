package org.umedsam.model.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gelu#gelu} on whole vectors with the Vector API: the same float operations in the same order (no fused
 * multiply-adds), so the same bits as the scalar loop, lane by lane; a tail shorter than a vector takes the scalar
 * form.
 *
 * <p>Why: C2's automatic vectorisation of {@link Gelu#applyBias}'s loop took 0.44 ns a value on a 2-core AVX-512
 * host, this 0.21 ns (one thread, rows of 256 values, 2026-12-05); LiteMedSAM's encoder evaluates about 110
 * million GELUs an image. Loaded only when {@link org.umedsam.model.VectorSupport#enabled()}.
 */
final class VectorGelu {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorGelu() {
    }

    /** {@link Gelu#gelu} of each lane, bit for bit. */
    static FloatVector gelu(FloatVector v) {
        FloatVector ax = v.abs();
        FloatVector t = ax.mul(Gelu.INV_SQRT2);
        FloatVector t2 = t.mul(t);
        // 1 + t ((a1 + t a2) + t2 ((a3 + t a4) + t2 (a5 + t a6))), as Gelu.gelu (float + is commutative)
        FloatVector inner = t.mul(Gelu.A6).add(Gelu.A5);
        inner = t2.mul(inner).add(t.mul(Gelu.A4).add(Gelu.A3));
        inner = t2.mul(inner).add(t.mul(Gelu.A2).add(Gelu.A1));
        FloatVector p = t.mul(inner).add(1f);
        p = p.mul(p);
        p = p.mul(p);
        p = p.mul(p);
        p = p.mul(p);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        return v.add(ax.mul(one.sub(one.div(p)))).mul(0.5f);
    }

    /** {@code x[off .. off+len) = gelu(x + bias)} in place, bit for bit {@link Gelu#gelu}. */
    static void applyBias(float[] x, int off, int len, float bias) {
        int end = off + len;
        int i = off;
        for (; i + SPECIES.length() <= end; i += SPECIES.length()) {
            gelu(FloatVector.fromArray(SPECIES, x, i).add(bias)).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] = Gelu.gelu(x[i] + bias);
        }
    }
}
