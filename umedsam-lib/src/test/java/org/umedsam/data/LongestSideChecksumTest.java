package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.umedsam.io.Npy;

/**
 * {@link ResizeLongestSide} and {@link BoxPrompts#nextSliceBox} on 80 image sizes (3..1200 pixels a
 * side, grey and colour, integer and fractional factors, shrinking and enlarging, extreme aspect
 * ratios) against OpenCV 4.6. Images and masks are closed-form (so no pixels are stored): image
 * {@code (7x + 13y + 5((x*y) mod 31) + 50c) mod 256}, mask an ellipse; the reference stores the
 * new size, two checksums of the resized image and the propagated box
 * ({@code src/test/resources/opencv/longest_side_checksums.npy}, rows
 * {@code h, w, c, newh, neww, sum, sum(v * (i mod 9973)), box x0, y0, x1, y1}).
 */
class LongestSideChecksumTest {
    @Test
    void matchesOpenCvOnEightySizes() throws Exception {
        long[] t = Npy.read(Path.of(getClass().getResource("/opencv/longest_side_checksums.npy").toURI())).toLongArray();
        int rows = t.length / 11;
        assertThat(rows).isEqualTo(80);
        for (int r = 0; r < rows; r++) {
            int h = (int) t[r * 11];
            int w = (int) t[r * 11 + 1];
            int c = (int) t[r * 11 + 2];
            byte[] img = new byte[h * w * c];
            byte[] mask = new byte[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        img[(y * w + x) * c + k] = (byte) ((x * 7L + y * 13L + ((long) x * y % 31) * 5 + k * 50L) % 256);
                    }
                    double yy = (y + 0.5 - h * 0.4) / (h * 0.2 + 1);
                    double xx = (x + 0.5 - w * 0.6) / (w * 0.15 + 1);
                    mask[y * w + x] = (byte) (yy * yy + xx * xx < 1 ? 1 : 0);
                }
            }
            String what = "size " + h + "x" + w + "x" + c;
            ImageU8 small = ResizeLongestSide.defaults().apply(new ImageU8(h, w, c, img).toThreeChannels());
            assertThat(new long[] {small.height(), small.width()}).as(what).containsExactly(t[r * 11 + 3], t[r * 11 + 4]);
            long s1 = 0;
            long s2 = 0;
            byte[] d = small.data();
            for (int i = 0; i < d.length; i++) {
                s1 += d[i] & 0xFF;
                s2 += (long) (d[i] & 0xFF) * (i % 9973);
            }
            assertThat(new long[] {s1, s2}).as(what + " checksums").containsExactly(t[r * 11 + 5], t[r * 11 + 6]);
            double[] box = BoxPrompts.nextSliceBox(mask, h, w);
            assertThat(box).as(what + " propagated box").containsExactly(t[r * 11 + 7], t[r * 11 + 8], t[r * 11 + 9], t[r * 11 + 10]);
        }
    }
}
