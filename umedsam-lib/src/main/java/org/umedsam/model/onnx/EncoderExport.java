package org.umedsam.model.onnx;

import onnx.Onnx.ModelProto;
import org.umedsam.model.ModelConfig;
import org.umedsam.model.cpu.FoldedConv;
import org.umedsam.model.cpu.StateDictWeights;

/**
 * LiteMedSAM's TinyViT image encoder as an ONNX graph, evaluation mode:
 * {@code image [1, 3, S, S] -> image_embeddings [1, E, S/4, S/4]} (upstream {@code [1, 3, 256, 256] ->
 * [1, 256, 64, 64]}). The same computation as the SameDiff {@code ImageEncoder} and the CPU engine's
 * {@code ImageEncoder}: patch embedding and the MBConv stage on NCHW maps, TinyViT blocks on tokens
 * {@code [1, H*W, C]} (windows zero-padded at bottom/right, padded tokens taking part as keys, as upstream),
 * neck; every BatchNorm folded into its convolution, each window's attention bias table expanded to
 * {@code [heads, N, N]} at export time.
 */
final class EncoderExport {

    private static final String P = "image_encoder.";

    private final ModelConfig c;
    private final StateDictWeights w;
    private final OnnxGraph g;

    private EncoderExport(ModelConfig c, StateDictWeights w) {
        this.c = c;
        this.w = w;
        this.g = new OnnxGraph("litemedsam_image_encoder");
    }

    static ModelProto build(ModelConfig c, StateDictWeights w) {
        return new EncoderExport(c, w).graph();
    }

    private ModelProto graph() {
        int s = c.imageSize();
        int[] d = c.embedDims();
        g.input(OnnxExport.IMAGE, 1, 3, s, s);
        // patch embedding: 1x1 Conv2d_BN 3 -> d0/2, GELU, 1x1 Conv2d_BN d0/2 -> d0
        String x = g.gelu(convBn(OnnxExport.IMAGE, P + "patch_embed.seq.0", 3, d[0] / 2, 1, 1, false));
        x = convBn(x, P + "patch_embed.seq.2", d[0] / 2, d[0], 1, 1, false);
        for (int j = 0; j < c.depths()[0]; j++) {
            x = mbconv(x, P + "layers.0.blocks." + j, d[0], d[0] * c.mbconvExpandRatio());
        }
        int res = s;
        String map = x;
        String tokens = null;
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                for (int j = 0; j < c.depths()[i]; j++) {
                    tokens = block(tokens, P + "layers." + i + ".blocks." + j, d[i], c.numHeads()[i], c.windowSizes()[i], res);
                }
                map = g.reshape(g.transpose(tokens, 0, 2, 1), 0, d[i], res, res);
            }
            if (i < 3) {
                int stride = c.mergeStrides()[i];
                map = merging(map, P + "layers." + i + ".downsample", d[i], d[i + 1], stride);
                res = (res + 2 - 3) / stride + 1;
                tokens = g.transpose(g.reshape(map, 0, d[i + 1], (long) res * res), 0, 2, 1);
            }
        }
        int e = c.promptEmbedDim();
        // neck: 1x1 conv, LayerNorm2d, 3x3 conv, LayerNorm2d; both convs bias-free
        String y = g.conv(map, P + "neck.0", w.get(P + "neck.0.weight", e, d[3], 1, 1), null, e, d[3], 1, 1, 1);
        y = g.layerNorm2d(y, P + "neck.1", w.get(P + "neck.1.weight", e), w.get(P + "neck.1.bias", e), ModelConfig.LN2D_EPS);
        y = g.conv(y, P + "neck.2", w.get(P + "neck.2.weight", e, e, 3, 3), null, e, e, 3, 1, 1);
        y = g.layerNorm2d(y, P + "neck.3", w.get(P + "neck.3.weight", e), w.get(P + "neck.3.bias", e), ModelConfig.LN2D_EPS);
        g.named(y, OnnxExport.IMAGE_EMBEDDINGS);
        g.output(OnnxExport.IMAGE_EMBEDDINGS, 1, e, c.embeddingSize(), c.embeddingSize());
        return g.model("LiteMedSAM image encoder (TinyViT), evaluation mode: image [1, 3, " + s + ", " + s
                + "] in [0, 1] after preprocessing -> image_embeddings [1, " + e + ", " + c.embeddingSize() + ", "
                + c.embeddingSize() + "]");
    }

    private String convBn(String x, String prefix, int in, int out, int k, int stride, boolean depthwise) {
        FoldedConv f = FoldedConv.read(w, prefix, in, out, k, depthwise);
        return g.conv(x, prefix, f.weight(), f.bias(), out, depthwise ? 1 : in, k, stride, depthwise ? out : 1);
    }

    /** TinyViT MBConv on NCHW: 1x1 expand, GELU, 3x3 depthwise, GELU, 1x1 project, residual, GELU. */
    private String mbconv(String x, String prefix, int dim, int hidden) {
        String y = g.gelu(convBn(x, prefix + ".conv1", dim, hidden, 1, 1, false));
        y = g.gelu(convBn(y, prefix + ".conv2", hidden, hidden, 3, 1, true));
        y = convBn(y, prefix + ".conv3", hidden, dim, 1, 1, false);
        return g.gelu(g.add(y, x));
    }

    /** TinyViT patch merging on NCHW: 1x1, GELU, 3x3 depthwise with the stage's stride, GELU, 1x1. */
    private String merging(String x, String prefix, int in, int out, int stride) {
        String y = g.gelu(convBn(x, prefix + ".conv1", in, out, 1, 1, false));
        y = g.gelu(convBn(y, prefix + ".conv2", out, out, 3, stride, true));
        return convBn(y, prefix + ".conv3", out, out, 1, 1, false);
    }

    /** TinyViT block on tokens {@code [1, res*res, dim]}: window attention, residual, local conv, residual MLP. */
    private String block(String x, String prefix, int dim, int heads, int ws, int res) {
        long len = (long) res * res;
        String a;
        if (res == ws) {
            a = attention(x, prefix + ".attn", dim, heads, ws);
        } else {
            int pad = (ws - res % ws) % ws;
            int pr = res + pad;
            long nw = pr / ws;
            String grid = g.reshape(x, 0, res, res, dim);
            if (pad > 0) {
                grid = g.op("Pad", new String[]{grid, g.longs(0, 0, 0, 0, 0, pad, pad, 0)});
            }
            String win = g.reshape(grid, 0, nw, ws, nw, ws, dim);
            win = g.reshape(g.transpose(win, 0, 1, 3, 2, 4, 5), -1, (long) ws * ws, dim);
            String o = attention(win, prefix + ".attn", dim, heads, ws);
            o = g.reshape(o, -1, nw, nw, ws, ws, dim);
            o = g.reshape(g.transpose(o, 0, 1, 3, 2, 4, 5), -1, pr, pr, dim);
            if (pad > 0) {
                o = g.slice(g.slice(o, 1, 0, res), 2, 0, res);
            }
            a = g.reshape(o, -1, len, dim);
        }
        x = g.add(x, a);
        String map = g.reshape(g.transpose(x, 0, 2, 1), 0, dim, res, res);
        map = convBn(map, prefix + ".local_conv", dim, dim, 3, 1, true);
        x = g.transpose(g.reshape(map, 0, dim, len), 0, 2, 1);
        String h = g.layerNorm(x, prefix + ".mlp.norm", w.get(prefix + ".mlp.norm.weight", dim),
                w.get(prefix + ".mlp.norm.bias", dim), ModelConfig.LN_EPS);
        int hidden = dim * c.mlpRatio();
        h = g.gelu(linear(h, prefix + ".mlp.fc1", dim, hidden));
        h = linear(h, prefix + ".mlp.fc2", hidden, dim);
        return g.add(x, h);
    }

    /**
     * TinyViT attention inside windows {@code [Bw, ws*ws, dim]}: LayerNorm, qkv (per head q, k, v of
     * dim/heads), softmax(q k^T / sqrt(kd) + bias), projection.
     */
    private String attention(String x, String prefix, int dim, int heads, int ws) {
        int kd = dim / heads;
        int n = ws * ws;
        String y = g.layerNorm(x, prefix + ".norm", w.get(prefix + ".norm.weight", dim), w.get(prefix + ".norm.bias", dim),
                ModelConfig.LN_EPS);
        String qkv = linear(y, prefix + ".qkv", dim, 3 * dim);
        qkv = g.transpose(g.reshape(qkv, 0, n, heads, 3L * kd), 0, 2, 1, 3); // [Bw, heads, N, 3kd]
        String[] parts = g.ops("Split", new String[]{qkv, g.longs(kd, kd, kd)}, 3, "axis", 3L);
        String attn = g.matMul(parts[0], g.transpose(parts[1], 0, 1, 3, 2));
        attn = g.mul(attn, g.scalar((float) Math.pow(kd, -0.5)));
        attn = g.softmaxLast(g.add(attn, g.floats(prefix + ".bias_table", biasTable(prefix, heads, ws), 1, heads, n, n)));
        String o = g.transpose(g.matMul(attn, parts[2]), 0, 2, 1, 3); // [Bw, N, heads, kd]
        o = g.reshape(o, 0, n, dim);
        return linear(o, prefix + ".proj", dim, dim);
    }

    /** {@code attention_biases [heads, ws*ws]} looked up by the offset {@code |dy| * ws + |dx|} of each token pair. */
    private float[] biasTable(String prefix, int heads, int ws) {
        int n = ws * ws;
        float[] ab = w.get(prefix + ".attention_biases", heads, n);
        float[] t = new float[heads * n * n];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int off = Math.abs(i / ws - j / ws) * ws + Math.abs(i % ws - j % ws);
                    t[(h * n + i) * n + j] = ab[h * n + off];
                }
            }
        }
        return t;
    }

    private String linear(String x, String prefix, int in, int out) {
        return g.linear(x, prefix, w.get(prefix + ".weight", out, in), w.get(prefix + ".bias", out), in, out);
    }
}
