package org.umedsam.analysis;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.loss.TargetMaps;
import org.umedsam.train.TrainingExample;

/**
 * A fixed batch of preprocessed examples on which a loss landscape is evaluated: the same items
 * at every point, so differences between points come from the weights alone.
 *
 * @param images [B, 3, H, W]
 * @param boxes  [B, 4], x0 y0 x1 y1 in the H x W frame
 * @param maps   one target (with its distance maps) per item
 */
public record FixedBatch(INDArray images, INDArray boxes, TargetMaps[] maps) {
    public FixedBatch {
        if (images.rank() != 4 || images.size(1) != 3 || boxes.rank() != 2 || boxes.size(1) != 4
                || images.size(0) != boxes.size(0) || images.size(0) != maps.length) {
            throw new IllegalArgumentException("expected images [B, 3, H, W], boxes [B, 4] and B targets, got "
                    + java.util.Arrays.toString(images.shape()) + ", " + java.util.Arrays.toString(boxes.shape())
                    + " and " + maps.length + " targets");
        }
    }

    /**
     * Stacks examples of one size into a batch.
     *
     * @throws IllegalArgumentException naming the first example whose size differs
     */
    public static FixedBatch of(List<TrainingExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("a landscape needs at least one example");
        }
        TrainingExample first = examples.get(0);
        int n = examples.size();
        float[] images = new float[n * first.image().length];
        float[] boxes = new float[n * 4];
        TargetMaps[] maps = new TargetMaps[n];
        for (int k = 0; k < n; k++) {
            TrainingExample ex = examples.get(k);
            if (ex.height() != first.height() || ex.width() != first.width()) {
                throw new IllegalArgumentException("example '" + ex.id() + "' is " + ex.height() + "x" + ex.width()
                        + ", but '" + first.id() + "' is " + first.height() + "x" + first.width());
            }
            System.arraycopy(ex.image(), 0, images, k * ex.image().length, ex.image().length);
            System.arraycopy(ex.box(), 0, boxes, k * 4, 4);
            maps[k] = TargetMaps.of(ex.mask(), ex.height(), ex.width());
        }
        return new FixedBatch(Nd4j.create(images, new long[] {n, 3, first.height(), first.width()}, 'c'),
                Nd4j.create(boxes, new long[] {n, 4}, 'c'), maps);
    }

    public int size() {
        return maps.length;
    }
}
