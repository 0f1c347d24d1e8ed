package org.umedsam.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.umedsam.data.ImageU8;
import org.umedsam.io.LabelArray;
import org.umedsam.io.NpyDtype;

/**
 * The 3D propagation rules on a volume built so that the answer is known from its geometry.
 *
 * <p>The segmenter is a deterministic test double: a box selects the non-zero pixels inside it
 * (corners inclusive). Slices are 256x256, so the 256 frame is the image frame (scaling and the
 * INTER_AREA resize of the previous mask are the identity), and every propagated box is the
 * previous mask's tight box widened by 3 pixels.
 */
class VolumePropagationTest {
    static final int D = 10;
    static final int S = 256;

    /** Selects the non-zero pixels inside each box; records which slices were embedded. */
    static final class ThresholdInBox implements SliceSegmenter {
        final List<ImageU8> embedded = new ArrayList<>();
        final List<double[]> boxesSeen = new ArrayList<>();

        @Override
        public Embedded embed(ImageU8 image) {
            embedded.add(image);
            return boxes -> {
                org.umedsam.data.CroppedMask[] out = new org.umedsam.data.CroppedMask[boxes.length];
                int h = image.height();
                int w = image.width();
                double ratio = Math.max(h, w) / 256.0;
                for (int i = 0; i < boxes.length; i++) {
                    boxesSeen.add(boxes[i].clone());
                    byte[] m = new byte[h * w];
                    int x0 = (int) Math.round(boxes[i][0] * ratio);
                    int y0 = (int) Math.round(boxes[i][1] * ratio);
                    int x1 = (int) Math.round(boxes[i][2] * ratio);
                    int y1 = (int) Math.round(boxes[i][3] * ratio);
                    for (int y = Math.max(0, y0); y <= Math.min(h - 1, y1); y++) {
                        for (int x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
                            if (image.get(y, x, 0) != 0) {
                                m[y * w + x] = 1;
                            }
                        }
                    }
                    out[i] = org.umedsam.data.CroppedMask.ofFrame(m, h, w);
                }
                return out;
            };
        }
    }

    static void fill(byte[] vol, int z, int x0, int y0, int x1, int y1, int value) {
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                vol[(z * S + y) * S + x] = (byte) value;
            }
        }
    }

    static int at(byte[] segs, int z, int y, int x) {
        return segs[(z * S + y) * S + x] & 0xFF;
    }

    /**
     * A: a 20x20 square in every slice, moving 2 px right per slice (x 40+2z..59+2z, y 50..69).
     * B: a 16x16 square (x, y 150..165) in slices 2, 3, 4, 6, 7, 8 but missing from slice 5.
     */
    static byte[] volume() {
        byte[] vol = new byte[D * S * S];
        for (int z = 0; z < D; z++) {
            fill(vol, z, 40 + 2 * z, 50, 59 + 2 * z, 69, 200);
            if (z >= 2 && z <= 8 && z != 5) {
                fill(vol, z, 150, 150, 165, 165, 120);
            }
        }
        return vol;
    }

    static final double[][] BOXES = {
            // box 1: A's box on slice 4, z 2..7 -> z_mid = int(5/2 + 2) = 4
            {48, 50, 2, 67, 69, 7},
            // box 2: B's box, z 3..7 -> z_mid = int(4/2 + 3) = 5, where B is missing
            {150, 150, 3, 165, 165, 7},
            // box 3: part of A, z 4..5 -> z_mid = int(1/2 + 4) = 4; drawn after box 1
            {60, 55, 4, 80, 65, 5},
    };

    @Test
    void followsTheChallengeRulesOnAKnownCase() {
        ThresholdInBox fake = new ThresholdInBox();
        VolumePropagation.Result r = new VolumePropagation(fake, 64).segment(volume(), D, S, S, BOXES);
        byte[] segs = r.segs().uint8();
        int[][] expected = new int[D][S * S];
        // box 1 tracks A from z_mid = 4 up to 7 and down to 2 (both inclusive): the square moves 2 px per
        // slice, within the 3 px widening, so every slice's A is found whole; slices 0, 1, 8, 9 are outside
        for (int z = 2; z <= 7; z++) {
            paintExpected(expected[z], 40 + 2 * z, 50, 59 + 2 * z, 69, 1);
        }
        // box 2: slice 5 (its middle) is empty, so slices 6 and 4 fall back to the middle-slice box and
        // find B; 7 and 3 follow from 6 and 4; slices 2 and 8 hold B but lie outside z 3..7
        for (int z : new int[] {3, 4, 6, 7}) {
            paintExpected(expected[z], 150, 150, 165, 165, 2);
        }
        // box 3 overwrites box 1: on slice 4 the part of A inside its box, x 60..67, y 55..65; on slice 5
        // that mask's box widened by 3, x 57..70, y 52..68, cut to A (x 50..69): x 57..69, y 52..68
        paintExpected(expected[4], 60, 55, 67, 65, 3);
        paintExpected(expected[5], 57, 52, 69, 68, 3);
        for (int z = 0; z < D; z++) {
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) {
                    if (at(segs, z, y, x) != expected[z][y * S + x]) {
                        throw new AssertionError("label at z=" + z + " y=" + y + " x=" + x + ": " + at(segs, z, y, x)
                                + ", expected " + expected[z][y * S + x]);
                    }
                }
            }
        }
        // slices 2..7 each embedded once (slice 4 kept from the upward to the downward sweep), and
        // one decode per box and slice: 6 + 5 + 2
        assertThat(r.embeddings()).isEqualTo(6);
        assertThat(fake.embedded).hasSize(6);
        assertThat(r.decodes()).isEqualTo(13);
        // box 2 on slice 6 was prompted with the middle-slice box, not a box derived from slice 5
        assertThat(fake.boxesSeen).anySatisfy(b -> assertThat(b).containsExactly(150, 150, 165, 165));
    }

    @Test
    void withoutACacheTheSharedSliceIsEmbeddedAgainWithTheSameResult() {
        VolumePropagation.Result cached = new VolumePropagation(new ThresholdInBox(), 64).segment(volume(), D, S, S, BOXES);
        VolumePropagation.Result uncached = new VolumePropagation(new ThresholdInBox(), 0).segment(volume(), D, S, S, BOXES);
        assertThat(uncached.segs()).isEqualTo(cached.segs());
        assertThat(uncached.embeddings()).isEqualTo(7);
    }

    /** Wraps a segmenter, counting closes per embedding and refusing decodes after close. */
    static final class ClosingCounter implements SliceSegmenter {
        final SliceSegmenter inner;
        final List<int[]> closes = new ArrayList<>();

        ClosingCounter(SliceSegmenter inner) {
            this.inner = inner;
        }

        @Override
        public Embedded embed(ImageU8 image) {
            Embedded e = inner.embed(image);
            int[] closed = new int[1];
            closes.add(closed);
            return new Embedded() {
                @Override
                public org.umedsam.data.CroppedMask[] decode(double[][] boxes256) {
                    if (closed[0] > 0) {
                        throw new AssertionError("decode after close");
                    }
                    return e.decode(boxes256);
                }

                @Override
                public void close() {
                    closed[0]++;
                }
            };
        }
    }

    /** A box the library is handed (not read from a file) is checked like a file's: said, not decoded to nothing. */
    @Test
    void badBoxesPassedInAreRefusedNamingTheBox() {
        ImageU8 image = new ImageU8(S, S, 1, new byte[S * S]);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageInference.segment(new ThresholdInBox(), image,
                new double[][] {{1, 1, 20, 20}, {300, 300, 400, 400}})).hasMessageContaining("2D box 2")
                .hasMessageContaining("lies outside the image");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageInference.segment(new ThresholdInBox(), image,
                new double[][] {{Double.NaN, 1, 20, 20}})).hasMessageContaining("not finite");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageInference.segment(new ThresholdInBox(), image,
                new double[][] {{30, 1, 20, 20}})).hasMessageContaining("inverted");
        double[][] outsideVolume = {{10, 10, 1, 20, 20, 2}, {10, 900, 1, 20, 950, 2}};
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VolumePropagation(new ThresholdInBox())
                .segment(volume(), D, S, S, outsideVolume)).hasMessageContaining("3D box 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new org.umedsam.data.Case("c", "CT", false, false,
                new int[] {S, S, 1}, new byte[S * S], (byte[]) null, new int[][] {{50, 40, 10, 60}}, null))
                .hasMessageContaining("c: box 1").hasMessageContaining("inverted");
    }

    @Test
    void everyEmbeddingIsClosedOnceAfterItsLastDecode() {
        for (int cache : new int[] {64, 1, 0}) {
            ClosingCounter c = new ClosingCounter(new ThresholdInBox());
            VolumePropagation.Result r = new VolumePropagation(c, cache).segment(volume(), D, S, S, BOXES);
            assertThat(c.closes).hasSize(r.embeddings());
            assertThat(c.closes).allSatisfy(n -> assertThat(n[0]).as("closes with cache " + cache).isEqualTo(1));
        }
        ClosingCounter c2 = new ClosingCounter(new ThresholdInBox());
        ImageInference.segment(c2, new ImageU8(S, S, 1, new byte[S * S]), new double[][] {{1, 1, 20, 20}});
        assertThat(c2.closes).hasSize(1);
        assertThat(c2.closes.get(0)[0]).isEqualTo(1);
    }

    @Test
    void boxOrderDecidesOverlaps() {
        // box 3 listed first: box 1 (now label 2... drawn later) wins everywhere they overlap
        double[][] swapped = {BOXES[2], BOXES[0]};
        byte[] segs = new VolumePropagation(new ThresholdInBox()).segment(volume(), D, S, S, swapped).segs().uint8();
        assertThat(at(segs, 4, 60, 62)).isEqualTo(2);
        assertThat(at(segs, 5, 60, 62)).isEqualTo(2);
    }

    @Test
    void refusesBoxesItCannotFollow() {
        VolumePropagation p = new VolumePropagation(new ThresholdInBox());
        assertThatThrownBy(() -> p.segment(volume(), D, S, S, new double[][] {{1, 1, 5, 9, 9, 3}}))
                .hasMessageContaining("z_min <= z_max");
        assertThatThrownBy(() -> p.segment(volume(), D, S, S, new double[][] {{1, 1, 12, 9, 9, 14}}))
                .hasMessageContaining("outside the 10 slices");
        assertThatThrownBy(() -> p.segment(volume(), D, S, S, new double[][] {{1, 1, 2, 9}}))
                .hasMessageContaining("expected 6");
    }

    @Test
    void twoDimensionalBoxesAreScaledToTheModelFrameAndLaterBoxesWin() {
        // 384x512 image: ratio 256/512 = 0.5, so box (100, 60, 199, 139) becomes (50, 30, 99, 69) in
        // the 256 frame, which the double maps back to (100, 60, 198, 138)
        int h = 384;
        int w = 512;
        byte[] rgb = new byte[h * w * 3];
        java.util.Arrays.fill(rgb, (byte) 9);
        ImageU8 image = new ImageU8(h, w, 3, rgb);
        ThresholdInBox fake = new ThresholdInBox();
        byte[] segs = ImageInference.segment(fake, image, new double[][] {{100, 60, 199, 139}, {180, 100, 300, 200}})
                .uint8();
        assertThat(fake.embedded).hasSize(1);
        assertThat(fake.boxesSeen.get(0)).containsExactly(50, 30, 99, 69);
        assertThat(fake.boxesSeen.get(1)).containsExactly(90, 50, 150, 100);
        assertThat(segs[60 * w + 100]).isEqualTo((byte) 1);
        assertThat(segs[138 * w + 179]).isEqualTo((byte) 1);
        assertThat(segs[138 * w + 180]).isEqualTo((byte) 2); // overlap: box 2 drawn later
        assertThat(segs[139 * w + 100]).isEqualTo((byte) 0);
        assertThat(segs[200 * w + 300]).isEqualTo((byte) 2);
    }

    /** 300 cells of 12 x 17 pixels (20 across, 15 down) on a 256 x 256 slice; cell {@code i} holds object {@code i + 1}. */
    static final int CELLS = 300;

    /** The non-zero 6 x 6 square at the middle of cell {@code i}: {@code x0, y0, x1, y1}. */
    static int[] square(int i) {
        int x0 = (i % 20) * 12 + 3;
        int y0 = (i / 20) * 17 + 5;
        return new int[] {x0, y0, x0 + 5, y0 + 5};
    }

    @Test
    void moreThan255BoxesKeepTheirOwnLabelsIn2D() {
        byte[] grey = new byte[S * S];
        double[][] boxes = new double[CELLS][];
        for (int i = 0; i < CELLS; i++) {
            int[] q = square(i);
            fill(grey, 0, q[0], q[1], q[2], q[3], 90);
            boxes[i] = new double[] {q[0] - 2, q[1] - 2, q[2] + 2, q[3] + 2};
        }
        LabelArray segs = ImageInference.segment(new ThresholdInBox(), new ImageU8(S, S, 1, grey), boxes);
        assertThat(segs.isWide()).isTrue();
        for (int i = 0; i < CELLS; i++) {
            int[] q = square(i);
            assertThat(segs.get(q[1] * S + q[0])).as("object %d", i + 1).isEqualTo(i + 1);
            assertThat(segs.get((q[1] - 1) * S + q[0])).isZero();
        }
        assertThat(segs.toNpy(S, S).dtype()).isEqualTo(NpyDtype.UINT16);
    }

    @Test
    void moreThan255BoxesPropagateWithTheirOwnLabelsIn3D() {
        int depth = 3;
        byte[] vol = new byte[depth * S * S];
        double[][] boxes = new double[CELLS][];
        for (int i = 0; i < CELLS; i++) {
            int[] q = square(i);
            for (int z = 0; z < depth; z++) {
                fill(vol, z, q[0], q[1], q[2], q[3], 90);
            }
            boxes[i] = new double[] {q[0] - 2, q[1] - 2, 0, q[2] + 2, q[3] + 2, depth - 1};
        }
        VolumePropagation.Result r = new VolumePropagation(new ThresholdInBox()).segment(vol, depth, S, S, boxes);
        assertThat(r.segs().isWide()).isTrue();
        for (int i = 0; i < CELLS; i++) {
            int[] q = square(i);
            for (int z = 0; z < depth; z++) {
                assertThat(r.segs().get((z * S + q[3]) * S + q[2])).as("object %d slice %d", i + 1, z).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void moreThan255BoxesWhoseLateMasksAreEmptyStayInBytes() {
        // boxes 256..300 select nothing (an empty corner), so the largest label is 255 and segs stay uint8
        byte[] grey = new byte[S * S];
        double[][] boxes = new double[CELLS][];
        for (int i = 0; i < CELLS; i++) {
            int[] q = square(i);
            if (i < 255) {
                fill(grey, 0, q[0], q[1], q[2], q[3], 90);
            }
            boxes[i] = new double[] {q[0], q[1], q[2], q[3]};
        }
        LabelArray segs = ImageInference.segment(new ThresholdInBox(), new ImageU8(S, S, 1, grey), boxes);
        assertThat(segs.max()).isEqualTo(255);
        assertThat(segs.isWide()).isFalse();
        assertThat(segs.toNpy(S, S).dtype()).isEqualTo(NpyDtype.UINT8);
    }

    static void paintExpected(int[] plane, int x0, int y0, int x1, int y1, int label) {
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                plane[y * S + x] = label;
            }
        }
    }
}
