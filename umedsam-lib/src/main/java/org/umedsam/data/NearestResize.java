package org.umedsam.data;

import org.umedsam.io.LabelArray;

/**
 * OpenCV's {@code cv::resize(..., INTER_NEAREST)}: destination pixel {@code (dy, dx)} takes source
 * pixel {@code (min(floor(dy*sh/dh), sh-1), min(floor(dx*sw/dw), sw-1))}, with the scale computed
 * as {@code 1 / (dst/src)} in double like OpenCV does. LiteMedSAM's trainer resizes label maps
 * with it, so labels are never blended.
 */
public final class NearestResize {
    private NearestResize() {
    }

    /** Resizes a label map or image ({@code [H, W, C]} bytes) to {@code dstH x dstW}. */
    public static ImageU8 resize(ImageU8 src, int dstH, int dstW) {
        int cn = src.channels();
        int[] xo = offsets(src.width(), dstW);
        int[] yo = offsets(src.height(), dstH);
        byte[] s = src.data();
        byte[] d = new byte[dstH * dstW * cn];
        for (int dy = 0; dy < dstH; dy++) {
            int row = yo[dy] * src.width();
            for (int dx = 0; dx < dstW; dx++) {
                System.arraycopy(s, (row + xo[dx]) * cn, d, (dy * dstW + dx) * cn, cn);
            }
        }
        return new ImageU8(dstH, dstW, cn, d);
    }

    /**
     * Resizes an {@code [H, W]} label map of any width ({@link LabelArray}) to {@code dstH x dstW},
     * picking the same source pixels as {@link #resize(ImageU8, int, int)}.
     */
    public static LabelArray resize(LabelArray src, int h, int w, int dstH, int dstW) {
        if (!src.isWide()) {
            return LabelArray.ofUint8(resize(new ImageU8(h, w, 1, src.uint8()), dstH, dstW).data());
        }
        int[] xo = offsets(w, dstW);
        int[] yo = offsets(h, dstH);
        LabelArray d = LabelArray.ofUint16(new short[dstH * dstW]);
        for (int dy = 0; dy < dstH; dy++) {
            int row = yo[dy] * w;
            for (int dx = 0; dx < dstW; dx++) {
                d.set(dy * dstW + dx, src.get(row + xo[dx]));
            }
        }
        return d;
    }

    private static int[] offsets(int ssize, int dsize) {
        double ifx = 1.0 / ((double) dsize / ssize);
        int[] o = new int[dsize];
        for (int i = 0; i < dsize; i++) {
            o[i] = Math.min((int) Math.floor(i * ifx), ssize - 1);
        }
        return o;
    }
}
