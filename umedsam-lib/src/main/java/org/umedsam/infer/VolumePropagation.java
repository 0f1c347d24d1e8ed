package org.umedsam.infer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.umedsam.data.BoxPrompts;
import org.umedsam.data.CroppedMask;
import org.umedsam.data.ImageU8;
import org.umedsam.io.LabelArray;

/**
 * 3D inference as the challenge's LiteMedSAM script does it ({@code MedSAM_infer_npz_3D}), with one
 * change: a slice's embedding is shared by every box that visits it.
 *
 * <p>For box {@code i} (from 1) {@code [x_min, y_min, z_min, x_max, y_max, z_max]}:
 * <ul>
 *   <li>start at {@code z_mid = int((z_max - z_min) / 2 + z_min)} with the box's 2D part scaled to
 *       the 256 frame ({@link BoxPrompts#toModelFrame});</li>
 *   <li>propagate up through {@code z_max} and down through {@code z_min} (both inclusive, clipped to
 *       the volume); each next slice's box comes from the box's own mask on the previous slice
 *       ({@link BoxPrompts#nextSliceBox}: INTER_AREA resize like the image, pad, widen by 3, clip); the
 *       downward pass starts from the middle slice's mask;</li>
 *   <li>an empty previous mask falls back to the middle-slice box;</li>
 *   <li>label {@code i} is written where its mask is set, later boxes over earlier ones.</li>
 * </ul>
 * Each box's chain depends only on its own masks, so the chains are run slice by slice: an upward
 * sweep over all boxes' upward ranges, then a downward sweep. A slice is embedded once per sweep;
 * slices needed by both sweeps keep their embedding in between (up to {@code maxCachedEmbeddings},
 * beyond which they are embedded again). The labels equal the box-by-box order's, since the final
 * label of a voxel is the largest box index whose mask covers it.
 *
 * <p>Two details follow upstream exactly: the previous mask handed to the box rule holds the value
 * {@code i} (upstream's per-box temporary volume stores the label, and INTER_AREA averages values, so
 * a partly covered pixel survives the resize more easily for larger {@code i}); the resize here is
 * 8-bit, so a label above 255 is handed to it as 255. And where upstream
 * would fail, we choose: a box with {@code z_min == z_max} is one slice (upstream asserts
 * {@code z_min < z_max}); a non-empty mask that vanishes when resized (upstream's
 * {@code get_bbox256} would raise on it) falls back to the middle-slice box like an empty one.
 */
public final class VolumePropagation {
    private final SliceSegmenter segmenter;
    private final int maxCachedEmbeddings;

    /**
     * @param segmenter           the model (or any {@link SliceSegmenter})
     * @param maxCachedEmbeddings slices whose embedding is kept from the upward to the downward sweep
     *                            (a LiteMedSAM embedding is 4 MiB)
     */
    public VolumePropagation(SliceSegmenter segmenter, int maxCachedEmbeddings) {
        if (maxCachedEmbeddings < 0) {
            throw new IllegalArgumentException("maxCachedEmbeddings must be >= 0, got " + maxCachedEmbeddings);
        }
        this.segmenter = segmenter;
        this.maxCachedEmbeddings = maxCachedEmbeddings;
    }

    /** With room for 64 cached embeddings (256 MiB for LiteMedSAM). */
    public VolumePropagation(SliceSegmenter segmenter) {
        this(segmenter, 64);
    }

    /**
     * Labels and how much work they took.
     *
     * @param segs       {@code [D, H, W]} labels 0..N, row-major (two bytes a voxel beyond 255 boxes)
     * @param embeddings images embedded
     * @param decodes    boxes decoded (one per box and slice)
     */
    public record Result(LabelArray segs, int embeddings, int decodes) {
    }

    private static final class Chain {
        final int label;
        final int zMin;
        final int zMid;
        final int zMax;
        final double[] midBox256;
        CroppedMask previous;
        CroppedMask midMask;

        Chain(int label, int zMin, int zMid, int zMax, double[] midBox256) {
            this.label = label;
            this.zMin = zMin;
            this.zMid = zMid;
            this.zMax = zMax;
            this.midBox256 = midBox256;
        }

        /** Slice {@code z} is in this chain's upward sweep, {@code z_mid .. z_max}. */
        boolean upward(int z) {
            return z >= zMid && z <= zMax;
        }

        /** Slice {@code z} is in this chain's downward sweep, {@code z_mid - 1 .. z_min}. */
        boolean downward(int z) {
            return z < zMid && z >= zMin;
        }
    }

    /**
     * Segments every box of a volume.
     *
     * @param imgs  {@code [D, H, W]} grey voxels (uint8), row-major
     * @param boxes {@code [N][6]} x_min, y_min, z_min, x_max, y_max, z_max (z as whole slice indices)
     */
    public Result segment(byte[] imgs, int depth, int height, int width, double[][] boxes) {
        long n = (long) depth * height * width;
        if (imgs.length != n) {
            throw new IllegalArgumentException("volume of " + imgs.length + " voxels is not " + depth + "x" + height
                    + "x" + width);
        }
        if (boxes.length > LabelArray.MAX_LABEL) {
            throw new IllegalArgumentException(boxes.length + " boxes do not fit uint16 labels (at most "
                    + LabelArray.MAX_LABEL + ")");
        }
        LabelArray segs = LabelArray.zeros(imgs.length); // widens to two bytes once a label above 255 is painted
        List<Chain> chains = new ArrayList<>();
        for (int i = 0; i < boxes.length; i++) {
            double[] b = boxes[i];
            if (b.length != 6) {
                throw new IllegalArgumentException("3D box " + (i + 1) + " has " + b.length + " values, expected 6");
            }
            BoxPrompts.check("3D box " + (i + 1) + " (x, y)", BoxPrompts.xyOf3dBox(b), width, height);
            int zMin = (int) b[2];
            int zMax = (int) b[5];
            if (zMin != b[2] || zMax != b[5] || zMin > zMax || zMin < 0) {
                throw new IllegalArgumentException("3D box " + (i + 1) + " needs whole slice indices 0 <= z_min <= z_max, got z "
                        + b[2] + ".." + b[5]);
            }
            int zMid = (int) ((zMax - zMin) / 2.0 + zMin);
            if (zMid >= depth) {
                throw new IllegalArgumentException("3D box " + (i + 1) + " starts at slice " + zMid + ", outside the "
                        + depth + " slices of the volume");
            }
            double[] mid = BoxPrompts.toModelFrame(BoxPrompts.xyOf3dBox(b), height, width);
            chains.add(new Chain(i + 1, zMin, zMid, zMax, mid));
        }
        InferenceTimings timings = segmenter.timings();
        Counter count = new Counter();
        Map<Integer, SliceSegmenter.Embedded> kept = new HashMap<>();

        // upward sweep: z_mid .. min(z_max, D-1) of every box
        int upFrom = Integer.MAX_VALUE;
        int upTo = -1;
        int downFrom = -1;
        int downTo = Integer.MAX_VALUE;
        for (Chain c : chains) {
            upFrom = Math.min(upFrom, c.zMid);
            upTo = Math.max(upTo, Math.min(c.zMax, depth - 1));
            if (c.zMid - 1 >= c.zMin) {
                downFrom = Math.max(downFrom, Math.min(c.zMid - 1, depth - 1));
                downTo = Math.min(downTo, c.zMin);
            }
        }
        try {
            sweeps(imgs, depth, height, width, chains, segs, timings, count, kept, upFrom, upTo, downFrom, downTo);
        } finally {
            kept.values().forEach(SliceSegmenter.Embedded::close); // left over only when a decode threw
        }
        return new Result(segs, count.embeddings, count.decodes);
    }

    /** The upward then the downward sweep (see the class comment). */
    private void sweeps(byte[] imgs, int depth, int height, int width, List<Chain> chains, LabelArray segs,
                        InferenceTimings timings, Counter count, Map<Integer, SliceSegmenter.Embedded> kept,
                        int upFrom, int upTo, int downFrom, int downTo) {
        int plane = height * width;
        for (int z = upFrom; z <= upTo; z++) {
            int slice = z;
            List<Chain> active = chains.stream().filter(c -> c.upward(slice)).toList();
            if (active.isEmpty()) {
                continue;
            }
            long p0 = System.nanoTime();
            double[][] boxes256 = boxes(active, z);
            long p1 = System.nanoTime();
            SliceSegmenter.Embedded e = embed(imgs, z, height, width, count);
            boolean neededLater = z <= downFrom && z >= downTo && isInSomeDownRange(chains, z);
            boolean keep = neededLater && kept.size() < maxCachedEmbeddings;
            if (keep) {
                kept.put(z, e);
            }
            CroppedMask[] masks;
            try {
                masks = e.decode(boxes256);
            } finally {
                if (!keep) {
                    e.close();
                }
            }
            count.decodes += masks.length;
            long q0 = System.nanoTime();
            take(active, masks, z, segs, plane);
            account(timings, p1 - p0, System.nanoTime() - q0);
        }
        // downward sweep: z_mid - 1 .. z_min of every box, starting from the middle slice's mask
        for (Chain c : chains) {
            c.previous = c.midMask;
        }
        for (int z = downFrom; z >= 0 && z >= downTo; z--) {
            int slice = z;
            List<Chain> active = chains.stream().filter(c -> c.downward(slice)).toList();
            if (active.isEmpty()) {
                continue;
            }
            long p0 = System.nanoTime();
            double[][] boxes256 = boxes(active, z);
            long p1 = System.nanoTime();
            SliceSegmenter.Embedded e = kept.remove(z);
            if (e == null) {
                e = embed(imgs, z, height, width, count);
            }
            CroppedMask[] masks;
            try (SliceSegmenter.Embedded closing = e) {
                masks = closing.decode(boxes256);
            }
            count.decodes += masks.length;
            long q0 = System.nanoTime();
            take(active, masks, z, segs, plane);
            account(timings, p1 - p0, System.nanoTime() - q0);
        }
    }

    private static final class Counter {
        int embeddings;
        int decodes;
    }

    private static void account(InferenceTimings t, long promptNanos, long paintNanos) {
        synchronized (t) {
            t.promptNanos += promptNanos;
            t.paintNanos += paintNanos;
        }
    }

    private static boolean isInSomeDownRange(List<Chain> chains, int z) {
        return chains.stream().anyMatch(c -> c.downward(z));
    }

    /** The boxes of the chains active on slice {@code z}: the middle-slice box on {@code z_mid}, else {@link #boxFromPrevious}. */
    private static double[][] boxes(List<Chain> active, int z) {
        double[][] boxes256 = new double[active.size()][];
        for (int a = 0; a < active.size(); a++) {
            Chain c = active.get(a);
            boxes256[a] = z == c.zMid ? c.midBox256 : boxFromPrevious(c);
        }
        return boxes256;
    }

    /** Each active chain's mask of slice {@code z} becomes its previous one (and its middle one on {@code z_mid}), painted into {@code segs}. */
    private static void take(List<Chain> active, CroppedMask[] masks, int z, LabelArray segs, int plane) {
        for (int a = 0; a < active.size(); a++) {
            Chain c = active.get(a);
            c.previous = masks[a];
            if (z == c.zMid) {
                c.midMask = masks[a];
            }
            MaskPainter.raise(segs, z * plane, masks[a], c.label); // later boxes win: the larger label
        }
    }

    private SliceSegmenter.Embedded embed(byte[] imgs, int z, int h, int w, Counter count) {
        byte[] slice = new byte[h * w];
        System.arraycopy(imgs, z * h * w, slice, 0, h * w);
        count.embeddings++;
        return segmenter.embed(new ImageU8(h, w, 1, slice));
    }

    /** The next slice's box from the chain's previous mask, or the middle-slice box when that is empty. */
    private static double[] boxFromPrevious(Chain c) {
        double[] box = BoxPrompts.nextSliceBox(c.previous, (byte) Math.min(c.label, 255));
        if (box[0] < 0) {
            return c.midBox256;
        }
        return box;
    }
}
