package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link AreaResize#resizeWindow} against the whole {@link AreaResize#resize}, and {@link BoxPrompts#nextSliceBox}
 * (which resizes only the window around the mask) against the full resize, pad and {@link BoxPrompts#fromMask}.
 */
class AreaResizeWindowTest {

    /** Source and destination sizes taking every path: enlarging, identity, whole-number blocks, fractional. */
    @ParameterizedTest
    @CsvSource({"128, 128, 256, 256", "3, 5, 154, 256", "256, 256, 256, 256", "512, 256, 256, 128",
            "300, 290, 256, 247", "1536, 2040, 193, 256", "7, 513, 3, 256", "64, 96, 128, 192"})
    void aWindowHoldsTheWholeResizesPixels(int h, int w, int dh, int dw) {
        Random rnd = new Random(h * 31L + w);
        for (int cn : new int[] {1, 3}) {
            byte[] d = new byte[h * w * cn];
            rnd.nextBytes(d);
            ImageU8 src = new ImageU8(h, w, cn, d);
            ImageU8 whole = AreaResize.resize(src, dh, dw);
            for (int trial = 0; trial < 20; trial++) {
                int y0 = rnd.nextInt(dh);
                int x0 = rnd.nextInt(dw);
                AreaResize.Window win = new AreaResize.Window(y0, y0 + 1 + rnd.nextInt(dh - y0), x0,
                        x0 + 1 + rnd.nextInt(dw - x0));
                ImageU8 part = AreaResize.resizeWindow(src, dh, dw, win);
                assertThat(part.height()).isEqualTo(win.y1() - win.y0());
                assertThat(part.width()).isEqualTo(win.x1() - win.x0());
                for (int y = win.y0(); y < win.y1(); y++) {
                    for (int x = win.x0(); x < win.x1(); x++) {
                        for (int c = 0; c < cn; c++) {
                            if (part.get(y - win.y0(), x - win.x0(), c) != whole.get(y, x, c)) {
                                throw new AssertionError(h + "x" + w + "x" + cn + " to " + dh + "x" + dw + ", " + win
                                        + ": pixel (" + y + ", " + x + ", " + c + ") differs");
                            }
                        }
                    }
                }
            }
        }
    }

    /** Masks of one small or large object, values 1 and label values, on frames from 3 to 1200 pixels a side. */
    @ParameterizedTest
    @CsvSource({"128, 128", "196, 162", "290, 320", "512, 512", "3, 700", "1200, 37", "100, 255", "257, 256"})
    void theNextSliceBoxFromTheWindowIsTheFullResizes(int h, int w) {
        Random rnd = new Random(7L * h + w);
        for (int trial = 0; trial < 40; trial++) {
            byte[] mask = new byte[h * w];
            byte value = (byte) (trial % 4 == 0 ? 1 + rnd.nextInt(255) : 1);
            int y0 = rnd.nextInt(h);
            int x0 = rnd.nextInt(w);
            int y1 = Math.min(h, y0 + 1 + rnd.nextInt(trial % 2 == 0 ? 4 : h));
            int x1 = Math.min(w, x0 + 1 + rnd.nextInt(trial % 2 == 0 ? 4 : w));
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    if (trial % 3 != 0 || rnd.nextInt(3) == 0) {
                        mask[y * w + x] = value;
                    }
                }
            }
            assertThat(BoxPrompts.nextSliceBox(mask, h, w)).as("%dx%d, trial %d", h, w, trial)
                    .containsExactly(fullResizeBox(mask, h, w));
        }
    }

    /** A cropped mask (its rectangle may hold unset rows and columns, or nothing) gives the box of its frame. */
    @ParameterizedTest
    @CsvSource({"128, 128", "196, 162", "290, 320", "3, 700", "1200, 37"})
    void aCroppedMaskGivesTheBoxOfItsPaintedFrame(int h, int w) {
        Random rnd = new Random(11L * h + w);
        for (int trial = 0; trial < 30; trial++) {
            int y0 = rnd.nextInt(h);
            int x0 = rnd.nextInt(w);
            int ch = 1 + rnd.nextInt(h - y0);
            int cw = 1 + rnd.nextInt(w - x0);
            byte[] bits = new byte[ch * cw];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = (byte) (trial % 5 == 0 || rnd.nextInt(4) != 0 ? 0 : 1); // every fifth crop empty
            }
            CroppedMask crop = new CroppedMask(h, w, x0, y0, cw, ch, bits);
            byte value = (byte) (trial % 3 == 0 ? 1 + rnd.nextInt(255) : 1);
            byte[] frame = new byte[h * w];
            crop.paint(frame, value);
            assertThat(BoxPrompts.nextSliceBox(crop, value)).as("%dx%d, trial %d", h, w, trial)
                    .containsExactly(BoxPrompts.nextSliceBox(frame, h, w));
        }
        assertThat(BoxPrompts.nextSliceBox(CroppedMask.empty(h, w), (byte) 1)).containsExactly(-1, -1, -1, -1);
    }

    @Test
    void anEmptyMaskGivesNoBox() {
        assertThat(BoxPrompts.nextSliceBox(new byte[40 * 30], 40, 30)).containsExactly(-1, -1, -1, -1);
    }

    @Test
    void badWindowsAreRefused() {
        assertThatThrownBy(() -> new AreaResize.Window(3, 3, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        ImageU8 src = new ImageU8(10, 10, 1, new byte[100]);
        assertThatThrownBy(() -> AreaResize.resizeWindow(src, 5, 5, new AreaResize.Window(0, 6, 0, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5x5");
        assertThatThrownBy(() -> BoxPrompts.nextSliceBox(new byte[99], 10, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10x10");
    }

    /** What nextSliceBox computed before the window: the whole resize, padded, then {@link BoxPrompts#fromMask}. */
    private static double[] fullResizeBox(byte[] mask, int h, int w) {
        ResizeLongestSide r = ResizeLongestSide.defaults();
        ImageU8 small = r.apply(new ImageU8(h, w, 1, mask));
        byte[] padded = Pad.mask(small.data(), small.height(), small.width(), r.target());
        return BoxPrompts.fromMask(padded, r.target(), BoxPrompts.PROPAGATION_SHIFT);
    }
}
