package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused mask ({@link Postprocess#mask}) against its definition: {@link Postprocess#upsampleLogits}
 * then {@link Postprocess#isForeground} per pixel, bit for bit, including logits at the threshold.
 */
class PostprocessTest {

    /** The definition, written out: up-sample, then {@code sigmoid > 0.5} per pixel. */
    static byte[] reference(float[] logits, int side, int newH, int newW, int origH, int origW) {
        float[] up = Postprocess.upsampleLogits(logits, side, newH, newW, origH, origW);
        byte[] m = new byte[up.length];
        for (int i = 0; i < up.length; i++) {
            m[i] = (byte) (Postprocess.isForeground(up[i]) ? 1 : 0);
        }
        return m;
    }

    @Test
    void thresholdSplitsEveryFloatAsTheSigmoidDoes() {
        float t = Postprocess.FOREGROUND_FROM;
        assertThat(t).isGreaterThan(0f).isLessThan(1e-6f);
        assertThat(Postprocess.isForeground(t)).isTrue();
        assertThat(Postprocess.isForeground(Math.nextDown(t))).isFalse();
        // every float within 200000 steps of the threshold, both sides
        int bits = Float.floatToIntBits(t);
        for (int b = Math.max(0, bits - 200_000); b <= bits + 200_000; b++) {
            float x = Float.intBitsToFloat(b);
            if (Postprocess.isForeground(x) != (x >= t)) {
                throw new AssertionError("logit " + x + " (bits " + b + ") splits differently");
            }
        }
        Random r = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(r.nextInt());
            assertThat(x >= t).as("logit %s", x).isEqualTo(Postprocess.isForeground(x));
        }
        for (float x : new float[] {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, -Float.MIN_VALUE, 1e-7f, 2e-7f}) {
            assertThat(x >= t).as("logit %s", x).isEqualTo(Postprocess.isForeground(x));
        }
    }

    @Test
    void fusedMaskEqualsUpsampleThenThreshold() {
        Random r = new Random(11);
        int side = 32;
        int[][] shapes = {{32, 32, 32, 32}, {20, 32, 97, 155}, {32, 11, 300, 103}, {7, 9, 7, 9}, {32, 32, 16, 16}};
        for (int[] s : shapes) {
            float[] logits = new float[3 * side * side];
            for (int i = 0; i < logits.length; i++) {
                // small values, a few exactly at and next to the threshold, so rounding near 0 is exercised
                logits[i] = switch (r.nextInt(4)) {
                    case 0 -> Postprocess.FOREGROUND_FROM;
                    case 1 -> Math.nextDown(Postprocess.FOREGROUND_FROM);
                    case 2 -> (float) (r.nextGaussian() * 1e-6);
                    default -> (float) r.nextGaussian() * 4;
                };
            }
            for (int box = 0; box < 3; box++) {
                float[] one = java.util.Arrays.copyOfRange(logits, box * side * side, (box + 1) * side * side);
                byte[] want = reference(one, side, s[0], s[1], s[2], s[3]);
                assertThat(Postprocess.mask(logits, box * side * side, side, s[0], s[1], s[2], s[3]))
                        .as("shape %s box %d", java.util.Arrays.toString(s), box).isEqualTo(want);
                assertThat(Postprocess.mask(one, side, s[0], s[1], s[2], s[3])).isEqualTo(want);
            }
        }
    }

    @Test
    void sparseAndEmptyForegroundMatchTheDefinition() {
        Random r = new Random(12);
        int side = 32;
        int[][] shapes = {{32, 32, 200, 200}, {20, 32, 97, 155}, {32, 11, 300, 103}, {32, 32, 16, 16}, {32, 32, 5, 3}};
        for (int[] s : shapes) {
            for (int trial = 0; trial < 40; trial++) {
                float[] logits = new float[side * side];
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = trial % 5 == 0 ? -0f : -(float) Math.abs(r.nextGaussian()) * 3; // background, -0 too
                }
                if (trial % 7 != 6) { // a small blob of positives (some at the threshold), elsewhere all <= 0
                    int cy = r.nextInt(s[0]);
                    int cx = r.nextInt(s[1]);
                    int ry = trial % 2; // single pixels too, which a strong down-scaling may skip
                    int rx = trial % 3;
                    for (int y = Math.max(0, cy - ry); y <= Math.min(s[0] - 1, cy + ry); y++) {
                        for (int x = Math.max(0, cx - rx); x <= Math.min(s[1] - 1, cx + rx); x++) {
                            logits[y * side + x] = r.nextBoolean() ? Postprocess.FOREGROUND_FROM : (float) r.nextGaussian() * 5;
                        }
                    }
                }
                assertThat(Postprocess.mask(logits, side, s[0], s[1], s[2], s[3]))
                        .as("shape %s trial %d", java.util.Arrays.toString(s), trial)
                        .isEqualTo(reference(logits, side, s[0], s[1], s[2], s[3]));
            }
        }
    }

    /**
     * Large smooth blobs, as a trained model's masks are: most up-scaled pixels then come from four source logits
     * on one side of the threshold, which the fused mask fills or skips without interpolating; logits near the
     * margin it uses for that (4 x FOREGROUND_FROM), infinities and NaN must still give the definition's bits.
     */
    @Test
    void blobsFilledWithoutInterpolationMatchTheDefinition() {
        Random r = new Random(13);
        int side = 64;
        float t = Postprocess.FOREGROUND_FROM;
        float[] special = {4 * t, Math.nextDown(4 * t), Math.nextUp(4 * t), t, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, -0f, 0f, Float.MAX_VALUE};
        int[][] shapes = {{64, 64, 500, 640}, {48, 64, 383, 517}, {64, 40, 64, 40}, {64, 64, 33, 29}, {17, 64, 1000, 61}};
        for (int[] s : shapes) {
            for (int trial = 0; trial < 6; trial++) {
                float[] logits = new float[side * side];
                double cy = r.nextInt(side);
                double cx = r.nextInt(side);
                double rad = 3 + r.nextInt(30);
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        double dist = Math.hypot(y - cy, x - cx);
                        logits[y * side + x] = (float) ((rad - dist) * (trial % 2 == 0 ? 1 : 1e-6));
                    }
                }
                for (int i = 0; i < 3 * trial; i++) {
                    logits[r.nextInt(logits.length)] = special[r.nextInt(special.length)];
                }
                assertThat(Postprocess.mask(logits, side, s[0], s[1], s[2], s[3]))
                        .as("shape %s trial %d", java.util.Arrays.toString(s), trial)
                        .isEqualTo(reference(logits, side, s[0], s[1], s[2], s[3]));
            }
        }
    }

    /**
     * {@link Postprocess#crop}: the same bits as the definition, stored in a rectangle no larger than the output
     * pixels that read the blob's source rows and columns (one source step of margin for the bilinear taps), and
     * nothing stored when no logit is positive.
     */
    @Test
    void cropHoldsTheMaskInTheRectangleItsPositiveLogitsReach() {
        Random r = new Random(14);
        int side = 64;
        int[][] shapes = {{64, 64, 500, 640}, {48, 64, 383, 517}, {64, 40, 64, 40}, {64, 64, 33, 29}};
        for (int[] s : shapes) {
            for (int trial = 0; trial < 8; trial++) {
                float[] logits = new float[side * side];
                java.util.Arrays.fill(logits, -2f);
                int rows0 = r.nextInt(s[0]);
                int rows1 = Math.min(s[0] - 1, rows0 + r.nextInt(10));
                int cols0 = r.nextInt(s[1]);
                int cols1 = Math.min(s[1] - 1, cols0 + r.nextInt(10));
                for (int y = rows0; y <= rows1; y++) {
                    for (int x = cols0; x <= cols1; x++) {
                        logits[y * side + x] = 1f + r.nextFloat();
                    }
                }
                CroppedMask c = Postprocess.crop(logits, 0, side, s[0], s[1], s[2], s[3]);
                String what = java.util.Arrays.toString(s) + " trial " + trial + ": " + c;
                assertThat(c.toFrame()).as(what).isEqualTo(reference(logits, side, s[0], s[1], s[2], s[3]));
                assertThat(c.frameHeight()).isEqualTo(s[2]);
                assertThat(c.frameWidth()).isEqualTo(s[3]);
                double sy = (double) s[2] / s[0];
                double sx = (double) s[3] / s[1];
                assertThat(c.y0()).as(what).isGreaterThanOrEqualTo((int) Math.floor((rows0 - 1) * sy));
                assertThat(c.y0() + c.height()).as(what).isLessThanOrEqualTo((int) Math.ceil((rows1 + 2) * sy));
                assertThat(c.x0()).as(what).isGreaterThanOrEqualTo((int) Math.floor((cols0 - 1) * sx));
                assertThat(c.x0() + c.width()).as(what).isLessThanOrEqualTo((int) Math.ceil((cols1 + 2) * sx));
            }
        }
        float[] none = new float[side * side];
        java.util.Arrays.fill(none, -1f);
        CroppedMask empty = Postprocess.crop(none, 0, side, 64, 64, 500, 640);
        assertThat(empty.bits()).isEmpty();
        assertThat(empty.toFrame()).hasSize(500 * 640).containsOnly(0);
    }

    @Test
    void refusesTooFewLogits() {
        assertThatThrownBy(() -> Postprocess.mask(new float[100], 0, 16, 16, 16, 20, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16x16");
        assertThatThrownBy(() -> Postprocess.mask(new float[512], 300, 16, 16, 16, 20, 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 300");
    }
}
