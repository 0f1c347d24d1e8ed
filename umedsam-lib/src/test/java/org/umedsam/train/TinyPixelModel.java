package org.umedsam.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.Engine;
import org.umedsam.model.ModelOutput;

/**
 * A tiny differentiable stand-in for LiteMedSAM:
 * {@code logits[b,0,y,x] = sum_c w_c img[b,c,y,x] + bias + v * inBox(b,y,x)},
 * {@code iou[b] = u * mean(img[b])}; a "BatchNorm" buffer tracks the per-channel image mean.
 */
final class TinyPixelModel implements TrainableModel {
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Map<String, INDArray> buffers = new LinkedHashMap<>();

    TinyPixelModel(long seed) {
        Nd4j.getRandom().setSeed(seed);
        params.put("image_encoder.w", Nd4j.randn(DataType.FLOAT, 3).muli(0.1));
        params.put("mask_decoder.bias", Nd4j.zeros(DataType.FLOAT, 1));
        params.put("mask_decoder.v", Nd4j.zeros(DataType.FLOAT, 1));
        params.put("mask_decoder.iou_u", Nd4j.ones(DataType.FLOAT, 1).muli(0.5));
        buffers.put("image_encoder.running_mean", Nd4j.zeros(DataType.FLOAT, 3));
    }

    @Override
    public Map<String, INDArray> parameters() {
        return params;
    }

    @Override
    public Map<String, INDArray> buffers() {
        return buffers;
    }

    @Override
    public Set<String> parameterNames(ParameterGroup group) {
        Set<String> s = new TreeSet<>();
        for (String k : params.keySet()) {
            if (group == ParameterGroup.ALL || k.startsWith("mask_decoder.")) {
                s.add(k);
            }
        }
        return s;
    }

    private static INDArray inBox(INDArray images, INDArray boxes) {
        long b = images.size(0);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        float[] m = new float[(int) (b * h * w)];
        for (int i = 0; i < b; i++) {
            float x0 = boxes.getFloat(i, 0);
            float y0 = boxes.getFloat(i, 1);
            float x1 = boxes.getFloat(i, 2);
            float y1 = boxes.getFloat(i, 3);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    m[(i * h + y) * w + x] = x >= x0 && x <= x1 && y >= y0 && y <= y1 ? 1f : 0f;
                }
            }
        }
        return Nd4j.create(m, new long[] {b, 1, h, w}, 'c');
    }

    @Override
    public Engine.Pass forward(INDArray images, INDArray boxes, boolean training) {
        INDArray w = params.get("image_encoder.w").reshape(1, 3, 1, 1);
        INDArray logits = images.mul(w).sum(true, 1)
                .addi(params.get("mask_decoder.bias").getFloat(0))
                .addi(inBox(images, boxes).muli(params.get("mask_decoder.v").getFloat(0)));
        INDArray iou = images.mean(1, 2, 3).reshape(images.size(0), 1).muli(params.get("mask_decoder.iou_u").getFloat(0));
        INDArray stats = images.mean(0, 2, 3);
        ModelOutput out = new ModelOutput(logits, iou, List.of(new ModelOutput.BatchNormStatistics("image_encoder",
                stats, stats, images.size(0) * images.size(2) * images.size(3))));
        return new Engine.Pass() {
            @Override
            public ModelOutput output() {
                return out;
            }

            @Override
            public Map<String, INDArray> backward(INDArray gradLogits, INDArray gradIou, Set<String> wrt) {
                return gradients(images, boxes, gradLogits, gradIou, wrt);
            }
        };
    }

    /** The closed-form gradients at the current weights. */
    Map<String, INDArray> gradients(INDArray images, INDArray boxes, INDArray gradLogits, INDArray gradIou,
                                           Set<String> wrt) {
        Map<String, INDArray> g = new LinkedHashMap<>();
        if (wrt.contains("image_encoder.w")) {
            g.put("image_encoder.w", images.mul(gradLogits).sum(0, 2, 3));
        }
        if (wrt.contains("mask_decoder.bias")) {
            g.put("mask_decoder.bias", gradLogits.sum().reshape(1));
        }
        if (wrt.contains("mask_decoder.v")) {
            g.put("mask_decoder.v", inBox(images, boxes).muli(gradLogits).sum().reshape(1));
        }
        if (wrt.contains("mask_decoder.iou_u")) {
            INDArray means = images.mean(1, 2, 3).reshape(images.size(0), 1);
            g.put("mask_decoder.iou_u", means.mul(gradIou).sum().reshape(1));
        }
        return g;
    }

    @Override
    public void applyBatchNormStatistics(ModelOutput output, double momentum) {
        INDArray rm = buffers.get("image_encoder.running_mean");
        rm.muli(1 - momentum).addi(output.batchNormStatistics().get(0).mean().mul(momentum));
    }
}
