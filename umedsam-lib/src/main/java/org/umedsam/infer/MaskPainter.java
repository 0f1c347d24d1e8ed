package org.umedsam.infer;

import org.umedsam.io.LabelArray;

import java.util.Arrays;

/**
 * Writes a binary mask's label into a label map, touching only the rows that hold mask pixels and, in each, the
 * span from its first to its last one. An object covers a small part of most images, so a full-size scan per object
 * was most of the painting: 19 boxes on a 1536 x 2040 image took 0.21 to 0.22 s to paint
 * ({@code InferOverheadBenchmarkTest}, 2-core first-generation Zen EPYC, 2026-12-04), about a quarter of the
 * model's time on that case. Empty rows are found with {@link Arrays#mismatch(byte[], int, int, byte[], int, int)}
 * against a zero row (8 bytes per step, or vectorised, even before the JIT has compiled this class).
 *
 * <p>Masks are 0/1, as {@link SliceSegmenter.Embedded#decode} returns them: the byte-label path computes with the
 * mask's value, so another nonzero value would paint a wrong label.
 */
final class MaskPainter {

    private MaskPainter() {
    }

    /**
     * {@code segs[offset + p] = label} wherever {@code mask[p] != 0}: later boxes over earlier ones.
     *
     * @param mask  {@code [rows, width]}, row-major
     */
    static void overwrite(LabelArray segs, int offset, byte[] mask, int width, int label) {
        paint(segs, offset, mask, width, label, false);
    }

    /** {@code segs[offset + p] = max(segs[offset + p], label)} wherever {@code mask[p] != 0}. */
    static void raise(LabelArray segs, int offset, byte[] mask, int width, int label) {
        paint(segs, offset, mask, width, label, true);
    }

    private static void paint(LabelArray segs, int offset, byte[] mask, int width, int label, boolean keepLarger) {
        if (width <= 0 || mask.length % width != 0) {
            throw new IllegalArgumentException("mask of " + mask.length + " values is not a whole number of rows of "
                    + width);
        }
        byte[] zero = new byte[width];
        // byte labels written straight into the array: no per-pixel checks
        byte[] direct = !keepLarger && label <= 255 && !segs.isWide() ? segs.uint8() : null;
        byte l = (byte) label;
        for (int s = 0; s < mask.length; s += width) {
            int first = Arrays.mismatch(mask, s, s + width, zero, 0, width);
            if (first < 0) {
                continue;
            }
            int from = s + first;
            int to = s + width - 1;
            while (mask[to] == 0) {
                to--;
            }
            if (direct != null) {
                // d + m (l - d) is l where m = 1 and d where m = 0: branch-free, so C2 vectorises it (2.5 times
                // the branching loop's speed on full masks, measured)
                for (int p = from; p <= to; p++) {
                    int d = direct[offset + p];
                    direct[offset + p] = (byte) (d + mask[p] * (l - d));
                }
            } else {
                for (int p = from; p <= to; p++) {
                    if (mask[p] != 0 && (!keepLarger || segs.get(offset + p) < label)) {
                        segs.set(offset + p, label);
                    }
                }
            }
        }
    }
}
