package org.umedsam.model.samediff;

import org.umedsam.model.ModelConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TinyViT attention inside one window of {@code ws x ws} tokens: LayerNorm, qkv projection (per head
 * q, k, v of head dim {@code dim/heads}), softmax(q k^T / sqrt(d) + bias), projection.
 * {@code [Bw, N, C] -> [Bw, N, C]}, N = ws*ws.
 *
 * <p>The learned bias table {@code attention_biases [heads, ws*ws]} is indexed by the offset
 * {@code (|dy|, |dx|)} between two window positions (upstream enumerates offsets in order of first
 * appearance, which is {@code |dy| * ws + |dx|}); the lookup is a matmul with a constant one-hot
 * {@code [ws*ws, N*N]} matrix, because gather has no working gradient in ND4J M2.1.
 */
final class WindowAttention {
    private WindowAttention() {
    }

    static SDVariable build(Net n, SDVariable x, String prefix, int dim, int heads, int ws) {
        int kd = dim / heads;
        long tokens = (long) ws * ws;
        SDVariable y = n.layerNorm(x, prefix + ".norm", 2, ModelConfig.LN_EPS);
        SDVariable qkv = n.linear(n.sd.reshape(y, -1, dim), prefix + ".qkv", true);
        // one permute to [Bw, heads, N, 3*kd], then q, k, v are slices of the last axis
        qkv = n.sd.permute(n.sd.reshape(qkv, -1, tokens, heads, 3L * kd), 0, 2, 1, 3);
        SDVariable q = n.slice(qkv, 4, 3, 0, kd);
        SDVariable k = n.slice(qkv, 4, 3, kd, 2L * kd);
        SDVariable v = n.slice(qkv, 4, 3, 2L * kd, 3L * kd);
        SDVariable attn = n.sd.mmul(q, k, false, true, false).mul(Math.pow(kd, -0.5));
        SDVariable table = n.constant("attention_bias_onehot_" + ws, oneHot(ws));
        SDVariable bias = n.sd.reshape(n.sd.mmul(n.p(prefix + ".attention_biases"), table), 1, heads, tokens, tokens);
        attn = n.sd.nn().softmax(attn.add(bias), -1);
        SDVariable o = n.sd.permute(n.sd.mmul(attn, v), 0, 2, 1, 3);
        o = n.linear(n.sd.reshape(o, -1, (long) heads * kd), prefix + ".proj", true);
        return n.sd.reshape(o, -1, tokens, dim);
    }

    /** {@code [ws*ws offsets, N*N]}: column (i, j) is one at offset index |dy|*ws+|dx| of positions i, j. */
    static INDArray oneHot(int ws) {
        int nTok = ws * ws;
        float[] data = new float[nTok * nTok * nTok];
        for (int i = 0; i < nTok; i++) {
            for (int j = 0; j < nTok; j++) {
                int off = Math.abs(i / ws - j / ws) * ws + Math.abs(i % ws - j % ws);
                data[off * nTok * nTok + i * nTok + j] = 1f;
            }
        }
        return Nd4j.create(data, new long[]{nTok, (long) nTok * nTok}, 'c').castTo(DataType.FLOAT);
    }
}
