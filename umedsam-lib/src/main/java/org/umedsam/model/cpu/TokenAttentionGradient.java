package org.umedsam.model.cpu;

/**
 * Backward of {@link SamAttention#attendTokens} (attention among the few prompt/output tokens): {@code p = softmax(scale q_h k_h^T)}, {@code o_h = p v_h}, projections as PyTorch Linears.
 */
final class TokenAttentionGradient {

    private final SamAttention a;
    private final String prefix;

    TokenAttentionGradient(SamAttention a, String prefix) {
        this.a = a;
        this.prefix = prefix;
    }

    /** @return {dxq, dxk, dxv}, the gradients of the three inputs (separate even when the inputs were one array) */
    float[][] backward(TwoWayTransformer.Tape.TokenAttention t, float[] dout, GradientSums g) {
        int internal = a.internal;
        int hd = a.headDim;
        int nq = t.nq();
        int nk = t.nk();
        float[] q = t.f().q();
        float[] k = t.f().k();
        float[] v = t.f().v();
        float[] p = t.f().p();
        float[] dO = DecoderGradientKernels.linear(a.out, prefix + ".out_proj", t.f().o(), dout, nq, g);
        float[] dq = new float[nq * internal];
        float[] dk = new float[nk * internal];
        float[] dv = new float[nk * internal];
        float[] ds = new float[nk];
        for (int h = 0; h < a.heads; h++) {
            int c0 = h * hd;
            for (int i = 0; i < nq; i++) {
                int po = (h * nq + i) * nk;
                int io = i * internal + c0;
                for (int j = 0; j < nk; j++) {
                    int jo = j * internal + c0;
                    float d = 0;
                    float pj = p[po + j];
                    for (int c = 0; c < hd; c++) {
                        d += dO[io + c] * v[jo + c];
                        dv[jo + c] += pj * dO[io + c];
                    }
                    ds[j] = d;
                }
                DecoderGradientKernels.softmax(p, po, ds, 0, 1, nk, a.scale);
                for (int j = 0; j < nk; j++) {
                    int jo = j * internal + c0;
                    float s = ds[j];
                    for (int c = 0; c < hd; c++) {
                        dq[io + c] += s * k[jo + c];
                        dk[jo + c] += s * q[io + c];
                    }
                }
            }
        }
        return new float[][]{
                DecoderGradientKernels.linear(a.q, prefix + ".q_proj", t.xq(), dq, nq, g),
                DecoderGradientKernels.linear(a.k, prefix + ".k_proj", t.xk(), dk, nk, g),
                DecoderGradientKernels.linear(a.v, prefix + ".v_proj", t.xv(), dv, nk, g)};
    }
}
