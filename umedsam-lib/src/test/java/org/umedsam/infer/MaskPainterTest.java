package org.umedsam.infer;

import org.junit.jupiter.api.Test;
import org.umedsam.io.LabelArray;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link MaskPainter} against the full per-pixel scan it replaces, on masks with empty rows, edges, gaps and runs of one. */
class MaskPainterTest {

    /** Random blobs plus pixels on the first and last column and row, so every span edge is exercised. */
    private static byte[] mask(Random r, int h, int w) {
        byte[] m = new byte[h * w];
        for (int k = 0; k < 3; k++) {
            int cy = r.nextInt(h);
            int cx = r.nextInt(w);
            int rad = 1 + r.nextInt(Math.max(1, h / 3));
            for (int y = Math.max(0, cy - rad); y < Math.min(h, cy + rad); y++) {
                for (int x = Math.max(0, cx - rad); x < Math.min(w, cx + rad); x++) {
                    if (r.nextInt(5) != 0) {
                        m[y * w + x] = 1;
                    }
                }
            }
        }
        m[r.nextInt(h) * w] = 1;
        m[r.nextInt(h) * w + w - 1] = 1;
        m[r.nextInt(w)] = 1;
        m[(h - 1) * w + r.nextInt(w)] = 1;
        return m;
    }

    @Test
    void paintsWhatTheFullScanPaints() {
        Random r = new Random(3);
        int h = 37;
        int w = 53;
        int planes = 2;
        for (int firstLabel : new int[]{1, 250}) { // 250: crosses 255, so the map widens midway
            LabelArray got = LabelArray.zeros(planes * h * w);
            LabelArray want = LabelArray.zeros(planes * h * w);
            LabelArray gotMax = LabelArray.zeros(planes * h * w);
            LabelArray wantMax = LabelArray.zeros(planes * h * w);
            LabelArray gotCropped = LabelArray.zeros(planes * h * w);
            LabelArray gotCroppedMax = LabelArray.zeros(planes * h * w);
            for (int i = 0; i < 12; i++) {
                int label = firstLabel + (i % 2 == 0 ? i : 12 - i); // not increasing: max and overwrite differ
                int offset = (i % planes) * h * w;
                byte[] m = mask(r, h, w);
                if (i == 5) {
                    m = new byte[h * w]; // an empty mask paints nothing
                }
                if (i == 7) {
                    for (int k = 0; k < 40; k++) {
                        m[r.nextInt(h * w)] = (byte) (k % 2 == 0 ? 2 : -1); // other nonzero values paint too
                    }
                }
                // the same mask as a crop: every set pixel inside a random rectangle (the whole frame for even i)
                int x0 = i % 2 == 0 ? 0 : r.nextInt(w);
                int y0 = i % 2 == 0 ? 0 : r.nextInt(h);
                int cw = i % 2 == 0 ? w : 1 + r.nextInt(w - x0);
                int ch = i % 2 == 0 ? h : 1 + r.nextInt(h - y0);
                byte[] bits = new byte[cw * ch];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        boolean inside = x >= x0 && x < x0 + cw && y >= y0 && y < y0 + ch;
                        if (inside) {
                            bits[(y - y0) * cw + x - x0] = m[y * w + x];
                        } else {
                            m[y * w + x] = 0;
                        }
                    }
                }
                org.umedsam.data.CroppedMask crop = new org.umedsam.data.CroppedMask(h, w, x0, y0, cw, ch, bits);
                MaskPainter.overwrite(got, offset, m, w, label);
                MaskPainter.raise(gotMax, offset, m, w, label);
                MaskPainter.overwrite(gotCropped, offset, crop, label);
                MaskPainter.raise(gotCroppedMax, offset, crop, label);
                for (int p = 0; p < m.length; p++) {
                    if (m[p] != 0) {
                        want.set(offset + p, label);
                        if (wantMax.get(offset + p) < label) {
                            wantMax.set(offset + p, label);
                        }
                    }
                }
            }
            for (int p = 0; p < planes * h * w; p++) {
                assertThat(got.get(p)).as("overwrite, pixel %d", p).isEqualTo(want.get(p));
                assertThat(gotMax.get(p)).as("raise, pixel %d", p).isEqualTo(wantMax.get(p));
                assertThat(gotCropped.get(p)).as("overwrite from a crop, pixel %d", p).isEqualTo(want.get(p));
                assertThat(gotCroppedMax.get(p)).as("raise from a crop, pixel %d", p).isEqualTo(wantMax.get(p));
            }
            assertThat(got.isWide()).isEqualTo(firstLabel > 1);
        }
    }

    @Test
    void rejectsAMaskThatIsNotWholeRows() {
        assertThatThrownBy(() -> MaskPainter.overwrite(LabelArray.zeros(10), 0, new byte[10], 3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 values").hasMessageContaining("3");
    }
}
