package org.umedsam.train;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.loss.TargetMaps;

/**
 * Training items stacked for one pass of the model: the one place where {@link TrainingExample}s become
 * arrays, for the trainer's steps and validation and for the loss landscape's fixed batch.
 *
 * <p>An image may carry {@code K} boxes ({@link TrainConfig#boxesPerImage()}): its {@code K} items are
 * consecutive in the source and share the image, which is stored once, so the model embeds it once.
 *
 * @param images [B, 3, H, W]
 * @param boxes  [B K, 4], x0 y0 x1 y1 in the H x W frame; image i's boxes are rows i K .. i K + K - 1
 * @param maps   one target (with its distance maps) per box, B K in all
 */
public record Batch(INDArray images, INDArray boxes, TargetMaps[] maps) {
    public Batch {
        if (images.rank() != 4 || images.size(1) != 3 || boxes.rank() != 2 || boxes.size(1) != 4
                || boxes.size(0) != maps.length || images.size(0) < 1 || boxes.size(0) % images.size(0) != 0) {
            throw new IllegalArgumentException("expected images [B, 3, H, W], boxes [B K, 4] and B K targets, got "
                    + Arrays.toString(images.shape()) + ", " + Arrays.toString(boxes.shape()) + " and "
                    + maps.length + " targets");
        }
    }

    /** Items (boxes) in the batch, B K. */
    public int size() {
        return maps.length;
    }

    /** K, boxes per image. */
    public int boxesPerImage() {
        return (int) (boxes.size(0) / images.size(0));
    }

    /**
     * Examples of one size, one box per image (the landscape's fixed batch).
     *
     * @throws IllegalArgumentException when there are none, or naming the first example whose size differs
     */
    public static Batch of(List<TrainingExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one example");
        }
        return stack(examples.size(), 1, examples::get, k -> -1, null, true);
    }

    /**
     * Items {@code from .. from + count - 1} of {@code source} in {@code epoch}, {@code perImage} consecutive
     * items per image (checked: whole groups, one shared image each). The target maps of items with a
     * {@link TrainingSource#cacheKey} are taken from, or added to, {@code cache}.
     */
    public static Batch load(TrainingSource source, int epoch, int from, int count, int perImage,
                             Map<Long, TargetMaps> cache) {
        if (count % perImage != 0 || from % perImage != 0) {
            throw new IllegalStateException("items " + from + ".." + (from + count - 1) + " do not hold whole groups of "
                    + perImage + " boxes per image");
        }
        return stack(count, perImage, k -> source.example(epoch, from + k), k -> source.cacheKey(epoch, from + k),
                cache, true);
    }

    /**
     * The model's inputs for a pass that needs no loss targets (BatchNorm calibration).
     *
     * @param images [B, 3, H, W]
     * @param boxes  [B, 4], one box per image
     */
    public record Inputs(INDArray images, INDArray boxes) {
    }

    /**
     * Images {@code fromImage .. fromImage + count - 1} of {@code source} in {@code epoch}, each with the first of its
     * {@code perImage} boxes, without the target maps (two distance transforms per box) a loss would need.
     */
    public static Inputs firstBoxes(TrainingSource source, int epoch, int fromImage, int count, int perImage) {
        Batch b = stack(count, 1, k -> source.example(epoch, (fromImage + k) * perImage), k -> -1, null, false);
        return new Inputs(b.images(), b.boxes());
    }

    /** {@code targets} false leaves {@code maps} null, for {@link #firstBoxes} only (the batch never leaves). */
    private static Batch stack(int count, int perImage, IntFunction<TrainingExample> item, IntToLongFunction key,
                               Map<Long, TargetMaps> cache, boolean targets) {
        TrainingExample first = null;
        float[] images = null;
        float[] boxes = new float[count * 4];
        TargetMaps[] maps = new TargetMaps[count];
        float[] groupImage = null;
        for (int k = 0; k < count; k++) {
            TrainingExample ex = item.apply(k);
            long cacheKey = key.applyAsLong(k);
            if (first == null) {
                first = ex;
                images = new float[count / perImage * ex.image().length];
            } else if (ex.height() != first.height() || ex.width() != first.width()) {
                throw new IllegalArgumentException("example '" + ex.id() + "' is " + ex.height() + "x" + ex.width()
                        + ", but '" + first.id() + "' in the same batch is " + first.height() + "x" + first.width());
            }
            if (k % perImage == 0) {
                groupImage = ex.image();
                System.arraycopy(ex.image(), 0, images, k / perImage * ex.image().length, ex.image().length);
            } else if (!Arrays.equals(groupImage, ex.image())) {
                throw new IllegalStateException("example '" + ex.id() + "' should share the image of the "
                        + perImage + " boxes of its group (boxesPerImage " + perImage + ") but does not");
            }
            System.arraycopy(ex.box(), 0, boxes, k * 4, 4);
            if (!targets) {
                continue;
            }
            if (cache != null && cacheKey >= 0) {
                maps[k] = cache.computeIfAbsent(cacheKey, i -> TargetMaps.of(ex.mask(), ex.height(), ex.width()));
            } else {
                maps[k] = TargetMaps.of(ex.mask(), ex.height(), ex.width());
            }
        }
        INDArray im = Nd4j.create(images, new long[] {count / perImage, 3, first.height(), first.width()}, 'c');
        INDArray bx = Nd4j.create(boxes, new long[] {count, 4}, 'c');
        return new Batch(im, bx, maps);
    }
}
