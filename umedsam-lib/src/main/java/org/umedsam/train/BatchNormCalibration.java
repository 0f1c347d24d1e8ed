package org.umedsam.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.model.ModelOutput;

/**
 * Every BatchNorm's running statistics recomputed from a fixed calibration set of training images ("precise
 * BatchNorm": Wu and Johnson 2021, Rethinking "Batch" in BatchNorm, arXiv:2105.07576, Sec. 3), instead of the
 * exponential moving average that training leaves behind.
 *
 * <p>Why: with PyTorch's momentum 0.1 the running statistics are a weighted average over about the last ten steps,
 * at batch 2 about twenty images, so they describe whichever modalities those batches happened to hold. Evaluation
 * and inference normalise with them, so a model's scores swing with the luck of its last batches: the last
 * checkpoint of {@code small-base-continued}'s pre-training scored 36.6 % DSC on the validation endoscopy cases where
 * the checkpoint two epochs earlier scored 87.1 % ({@code models/README.md}).
 *
 * <p>How: the first {@code images} images of the source's epoch 0 (always the same ones, so a run resumed from any
 * step recalibrates to the same bits), {@code batchImages} at a time, through training-mode passes (each BatchNorm
 * normalising with its batch's statistics, as in training). The batch matters beyond the first BatchNorm: each
 * layer's statistics are those of inputs that the layers before normalised with their batch's statistics, which at
 * 2 images are far noisier than the running statistics inference uses. On {@code small-base-continued}'s two last
 * checkpoints (74.6 and 71.0 % validation DSC as trained), 256 images in passes of 2 gave 71.0 and 71.8 %, in passes
 * of 8 75.9 and 75.6 %: hence {@link #DEFAULT_BATCH_IMAGES}. Per channel, over all {@code n} calibration elements
 * (pooled over batches, weighted by their element counts {@code n_b}):
 * <pre>
 *   mean = sum_b n_b mean_b / n
 *   var  = (sum_b n_b (var_b + mean_b^2) / n - mean^2) * n / (n - 1)     (unbiased, as PyTorch keeps it)
 * </pre>
 * accumulated in double precision; for the first BatchNorm (whose input does not depend on other BatchNorms) this
 * equals the statistics of one batch holding every calibration image. The running statistics before the call do
 * not matter; {@code num_batches_tracked} is left alone. PyTorch equivalent: {@code
 * torch.optim.swa_utils.update_bn} with {@code momentum=None} (a cumulative average of batch means and variances,
 * which leaves out the spread of the batch means that the pooled variance above keeps).
 */
public final class BatchNormCalibration {
    /**
     * @param images  calibration images used
     * @param layers  BatchNorm layers recalibrated (0: the passes carried no statistics, e.g. a frozen encoder)
     * @param seconds wall time
     */
    public record Result(int images, int layers, double seconds) {
    }

    /**
     * Images per calibration pass unless told otherwise: 8 (see above). A training-mode pass of 8 images holds four
     * times the activations of a batch-2 training step's forward pass; the CPU engine lets go of the arrays it pools
     * for training passes before it ({@link TrainableModel#batchNormStatistics}), so the two do not add up.
     */
    public static final int DEFAULT_BATCH_IMAGES = 8;

    private final TrainingSource source;
    private final int images;
    private final int batchImages;
    private final int boxesPerImage;

    /**
     * @param source        training items, {@code boxesPerImage} consecutive items per image
     * @param images        how many images to calibrate on (at most the source's epoch 0 holds)
     * @param batchImages   images per pass ({@link #DEFAULT_BATCH_IMAGES}; fewer make noisier statistics)
     * @param boxesPerImage items per image in {@code source}
     */
    public BatchNormCalibration(TrainingSource source, int images, int batchImages, int boxesPerImage) {
        if (source == null || images < 1 || batchImages < 1 || boxesPerImage < 1) {
            throw new IllegalArgumentException("calibration needs a source, images >= 1, batchImages >= 1 and "
                    + "boxesPerImage >= 1, got " + images + ", " + batchImages + ", " + boxesPerImage);
        }
        this.source = source;
        this.images = images;
        this.batchImages = batchImages;
        this.boxesPerImage = boxesPerImage;
    }

    /** Recalibrates {@code model}'s BatchNorm running statistics in place (announced with {@code weightsChanged}). */
    public Result run(TrainableModel model) {
        long t0 = System.nanoTime();
        int n = Math.min(images, source.epochSize(0) / boxesPerImage);
        Map<String, Pooled> pooled = new LinkedHashMap<>();
        for (int from = 0; from < n; from += batchImages) {
            int count = Math.min(batchImages, n - from);
            // the statistics are the image encoder's: one box per image is enough for the pass
            Batch.Inputs b = Batch.firstBoxes(source, 0, from, count, boxesPerImage);
            for (ModelOutput.BatchNormStatistics st : model.batchNormStatistics(b.images(), b.boxes())) {
                pooled.computeIfAbsent(st.prefix(), p -> new Pooled()).add(st);
            }
        }
        List<String> written = new ArrayList<>();
        for (Map.Entry<String, Pooled> e : pooled.entrySet()) {
            written.addAll(e.getValue().writeInto(model.buffers(), e.getKey()));
        }
        if (!written.isEmpty()) {
            model.weightsChanged(written);
        }
        return new Result(n, pooled.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** One BatchNorm's per-channel sums over the calibration passes. */
    private static final class Pooled {
        private double[] sum;
        private double[] sumOfSquares;
        private long count;

        void add(ModelOutput.BatchNormStatistics st) {
            double[] mean = st.mean().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
            double[] var = st.variance().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
            if (sum == null) {
                sum = new double[mean.length];
                sumOfSquares = new double[mean.length];
            }
            for (int c = 0; c < mean.length; c++) {
                sum[c] += st.count() * mean[c];
                sumOfSquares[c] += st.count() * (var[c] + mean[c] * mean[c]);
            }
            count += st.count();
        }

        /** Writes {@code prefix.running_mean} and {@code prefix.running_var}; returns their names. */
        List<String> writeInto(Map<String, INDArray> buffers, String prefix) {
            double[] mean = new double[sum.length];
            double[] var = new double[sum.length];
            double unbias = count > 1 ? (double) count / (count - 1) : 1.0;
            for (int c = 0; c < sum.length; c++) {
                mean[c] = sum[c] / count;
                var[c] = Math.max(0, sumOfSquares[c] / count - mean[c] * mean[c]) * unbias;
            }
            String m = prefix + ".running_mean";
            String v = prefix + ".running_var";
            INDArray rm = buffers.get(m);
            INDArray rv = buffers.get(v);
            if (rm == null || rv == null) {
                throw new IllegalStateException("the model reports statistics of BatchNorm '" + prefix
                        + "' but has no " + m + " and " + v);
            }
            rm.assign(Nd4j.createFromArray(mean).castTo(rm.dataType()).reshape(rm.shape()));
            rv.assign(Nd4j.createFromArray(var).castTo(rv.dataType()).reshape(rv.shape()));
            return List.of(m, v);
        }
    }
}
