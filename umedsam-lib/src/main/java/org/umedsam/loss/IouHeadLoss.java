package org.umedsam.loss;

/**
 * LiteMedSAM's IoU-head loss: {@code mean_b (iouPred_b - IoU(sigmoid(logits_b) > 0.5, t_b))^2}.
 * The IoU target is a constant (no gradient flows through it into the logits). An item whose
 * thresholded prediction and target are both empty gets IoU target 1 (upstream divides 0 by 0;
 * 1 is the fixture's convention: an empty prediction of an empty target is perfect).
 */
public final class IouHeadLoss implements SegLoss {
    @Override
    public String name() {
        return "iou";
    }

    /** IoU of {@code logits > 0} (same as sigmoid > 0.5) with the target, per item, [B]. */
    public static double[] iouTargets(MaskBatch b) {
        int plane = b.plane();
        double[] out = new double[b.batchSize()];
        for (int item = 0; item < b.batchSize(); item++) {
            double[] t = b.targets()[item].target();
            int off = item * plane;
            long inter = 0;
            long union = 0;
            for (int i = 0; i < plane; i++) {
                boolean p = b.logits()[off + i] > 0;
                boolean q = t[i] > 0.5;
                if (p && q) {
                    inter++;
                }
                if (p || q) {
                    union++;
                }
            }
            out[item] = union == 0 ? 1.0 : (double) inter / union;
        }
        return out;
    }

    @Override
    public LossTerm evaluate(MaskBatch b) {
        double[] target = iouTargets(b);
        double[] gi = new double[b.batchSize()];
        double sum = 0;
        for (int item = 0; item < b.batchSize(); item++) {
            double d = b.iouPred()[item] - target[item];
            sum += d * d;
            gi[item] = 2 * d / b.batchSize();
        }
        return new LossTerm(name(), sum / b.batchSize(), new double[b.logits().length], gi);
    }
}
