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

    /**
     * {@link Gelu#derivative(float)} of each lane, bit for bit: the same operations in the same order (products
     * left to right as Java evaluates {@code u * 6 * A6}), {@code Math.min} as the lane minimum.
     */
    static FloatVector derivative(FloatVector v) {
        FloatVector a = v.abs();
        FloatVector u = a.mul(Gelu.INV_SQRT2).min(1e3f);
        FloatVector p = u.mul(Gelu.A6).add(Gelu.A5);
        p = u.mul(p).add(Gelu.A4);
        p = u.mul(p).add(Gelu.A3);
        p = u.mul(p).add(Gelu.A2);
        p = u.mul(p).add(Gelu.A1);
        p = u.mul(p).add(1f);
        FloatVector dp = u.mul(6).mul(Gelu.A6).add(5 * Gelu.A5);
        dp = u.mul(dp).add(4 * Gelu.A4);
        dp = u.mul(dp).add(3 * Gelu.A3);
        dp = u.mul(dp).add(2 * Gelu.A2);
        dp = u.mul(dp).add(Gelu.A1);
        FloatVector p2 = p.mul(p);
        FloatVector p4 = p2.mul(p2);
        FloatVector p8 = p4.mul(p4);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector inv17 = one.div(p8.mul(p8).mul(p));
        FloatVector e = one.sub(inv17.mul(p));
        FloatVector sign = v.div(a.add(1e-30f));
        FloatVector tail = v.mul(dp.mul(inv17).mul(8f * Gelu.INV_SQRT2));
        return e.mul(0.5f).mul(sign).add(0.5f).add(tail);
    }

    /**
     * {@code grad[gOff + i] = GELU'(x[xOff + i])} for {@code i < n}, bit for bit {@link Gelu#derivative(float)};
     * {@code grad} may be {@code x} at the same offset (in place).
     */
    static void derivative(float[] x, int xOff, float[] grad, int gOff, int n) {
        int i = 0;
        for (; i + SPECIES.length() <= n; i += SPECIES.length()) {
            derivative(FloatVector.fromArray(SPECIES, x, xOff + i)).intoArray(grad, gOff + i);
        }
        for (; i < n; i++) {
            grad[gOff + i] = Gelu.derivative(x[xOff + i]);
        }
    }

    /** {@code value[i] = gelu(x[off + i])}, {@code grad[i] = GELU'(x[off + i])} for {@code i < n}, bit for bit. */
    static void valueAndDerivative(float[] x, int off, int n, float[] value, float[] grad) {
        int i = 0;
        for (; i + SPECIES.length() <= n; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, off + i);
            gelu(v).intoArray(value, i);
            derivative(v).intoArray(grad, i);
        }
        for (; i < n; i++) {
            float v = x[off + i];
            value[i] = Gelu.gelu(v);
            grad[i] = Gelu.derivative(v);
        }
    }

    /** {@code g[gOff + i] *= GELU'(x[xOff + i])} for {@code i < n}, bit for bit the scalar product. */
    static void multiplyByDerivative(float[] x, int xOff, float[] g, int gOff, int n) {
        int i = 0;
        for (; i + SPECIES.length() <= n; i += SPECIES.length()) {
            FloatVector d = derivative(FloatVector.fromArray(SPECIES, x, xOff + i));
            FloatVector.fromArray(SPECIES, g, gOff + i).mul(d).intoArray(g, gOff + i);
        }
        for (; i < n; i++) {
            g[gOff + i] *= Gelu.derivative(x[xOff + i]);
        }
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
