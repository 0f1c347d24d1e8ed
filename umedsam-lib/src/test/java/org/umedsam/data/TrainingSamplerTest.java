package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingSamplerTest {
    /** A 2D colour case whose image is 255 exactly where a label is, 0 elsewhere. */
    static Case case2d(String name, int h, int w, int seed) {
        byte[] gts = new byte[h * w];
        java.util.Random r = new java.util.Random(seed);
        for (int label = 1; label <= 3; label++) {
            int cy = 10 + r.nextInt(h - 20);
            int cx = 10 + r.nextInt(w - 20);
            int rad = 4 + r.nextInt(5);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if ((y - cy) * (y - cy) + (x - cx) * (x - cx) <= rad * rad) {
                        gts[y * w + x] = (byte) label;
                    }
                }
            }
        }
        byte[] imgs = new byte[h * w * 3];
        for (int i = 0; i < h * w; i++) {
            for (int c = 0; c < 3; c++) {
                imgs[3 * i + c] = (byte) (gts[i] != 0 ? 255 : 0);
            }
        }
        return new Case(name, Modalities.fromName(name), false, false, new int[] {h, w, 3}, imgs, gts, null, null);
    }

    static Case case3d(String name) {
        int d = 6;
        int h = 40;
        int w = 50;
        byte[] gts = new byte[d * h * w];
        byte[] imgs = new byte[d * h * w];
        for (int z = 2; z < 4; z++) {
            for (int y = 10; y < 20; y++) {
                for (int x = 5; x < 30; x++) {
                    gts[(z * h + y) * w + x] = 2;
                    imgs[(z * h + y) * w + x] = (byte) 200;
                }
            }
        }
        return new Case(name, "CT", true, false, new int[] {d, h, w}, imgs, gts, null, new double[] {2, 1, 1});
    }

    static List<Case> cases() {
        List<Case> l = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            l.add(case2d("2DBox_US_000" + i, 100 + 7 * i, 120 - 5 * i, i));
        }
        for (int i = 0; i < 3; i++) {
            l.add(case2d("2DBox_XRay_000" + i, 300, 200, 10 + i));
        }
        l.add(case3d("3DBox_CT_0001"));
        return l;
    }

    @Test
    void sameSeedSameSequenceOtherSeedOther() {
        TrainingSampler a = new TrainingSampler(cases(), SamplerConfig.defaults().withSeed(7));
        TrainingSampler b = new TrainingSampler(cases(), SamplerConfig.defaults().withSeed(7));
        TrainingSampler c = new TrainingSampler(cases(), SamplerConfig.defaults().withSeed(8));
        boolean anyDifferent = false;
        for (int epoch = 0; epoch < 2; epoch++) {
            assertThat(a.epochOrder(epoch)).containsExactly(b.epochOrder(epoch));
            for (int i = 0; i < a.epochSize(epoch); i++) {
                Sample x = a.sample(epoch, i);
                Sample y = b.sample(epoch, i);
                Sample z = c.sample(epoch, i);
                assertThat(x.box()).containsExactly(y.box());
                assertThat(x.mask()).isEqualTo(y.mask());
                assertThat(x.image()).isEqualTo(y.image());
                anyDifferent |= !Arrays.equals(x.box(), z.box()) || !x.caseName().equals(z.caseName());
            }
        }
        assertThat(anyDifferent).isTrue();
        assertThat(a.epochOrder(0)).isNotEqualTo(a.epochOrder(1));
    }

    @Test
    void resumingMidEpochGivesTheSameBatches() {
        TrainingSampler s = new TrainingSampler(cases(), SamplerConfig.defaults());
        List<Sample> all = new ArrayList<>();
        s.batches(3, 2).forEachRemaining(b -> all.addAll(b.samples()));
        Iterator<SampleBatch> resumed = s.batches(3, 2, 4);
        SampleBatch first = resumed.next();
        assertThat(first.samples().get(0).box()).containsExactly(all.get(4).box());
        assertThat(first.samples().get(1).mask()).isEqualTo(all.get(5).mask());
        assertThat(all).hasSize(s.epochSize(3));
    }

    @Test
    void imageMaskAndBoxAgreeAfterFlips() {
        TrainingSampler s = new TrainingSampler(cases(), SamplerConfig.defaults());
        for (int i = 0; i < s.epochSize(0); i++) {
            Sample x = s.sample(0, i);
            int side = Sample.SIDE;
            int[] tight = BoxPrompts.tightBox(x.mask(), side, side);
            assertThat(tight).as("non-empty target").isNotNull();
            // object pixels are the only non-zero ones; INTER_AREA blends edges (an edge pixel can
            // round to 0 when enlarging) while nearest keeps labels sharp, so nearly every target
            // pixel is non-zero in the image when the flips were applied to both alike
            int inMask = 0;
            int bright = 0;
            for (int p = 0; p < side * side; p++) {
                if (x.mask()[p] == 1) {
                    inMask++;
                    bright += x.image()[p] > 0 && x.image()[2 * side * side + p] > 0 ? 1 : 0;
                }
            }
            assertThat(bright).as(x.caseName()).isGreaterThanOrEqualTo((int) (0.9 * inMask));
            float[] b = x.box();
            assertThat(b[0]).isBetween(Math.max(0f, tight[0] - 5f), (float) tight[0]);
            assertThat(b[1]).isBetween(Math.max(0f, tight[1] - 5f), (float) tight[1]);
            assertThat(b[2]).isBetween((float) tight[2], Math.min(255f, tight[2] + 5f));
            assertThat(b[3]).isBetween((float) tight[3], Math.min(255f, tight[3] + 5f));
            if (x.caseName().startsWith("3D")) {
                assertThat(x.slice()).isBetween(2, 3);
                assertThat(x.label()).isEqualTo(2);
            }
        }
    }

    @Test
    void flipsHappenBothWays() {
        TrainingSampler s = new TrainingSampler(List.of(case3d("3DBox_CT_0002")), SamplerConfig.defaults());
        // 40x50 slice -> 205x256; the object x 5..29, y 10..19 lands near x 25..153, y 51..102;
        // a left-right flip moves x0 to about 100, an up-down flip y0 to about 150
        boolean right = false;
        boolean left = false;
        boolean up = false;
        boolean down = false;
        for (int e = 0; e < 40; e++) {
            float[] b = s.sample(e, 0).box();
            left |= b[0] < 40;
            right |= b[0] > 80;
            up |= b[1] < 60;
            down |= b[1] > 130;
        }
        assertThat(new boolean[] {left, right, up, down}).containsOnly(true);
    }

    @Test
    void capsLimitCasesPerModalityAndRotateThem() {
        TrainingSampler s = new TrainingSampler(cases(), SamplerConfig.defaults().withCaps(Map.of("US", 2)));
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int e = 0; e < 20; e++) {
            int us = 0;
            for (int idx : s.epochOrder(e)) {
                if (cases().get(idx).modality().equals("US")) {
                    us++;
                    seen.add(cases().get(idx).name());
                }
            }
            assertThat(us).isEqualTo(2);
            assertThat(s.epochSize(e)).isEqualTo(2 + 3 + 1);
        }
        assertThat(seen).hasSize(5);
    }

    @Test
    void connectedComponentTargetsOneComponent() {
        int h = 64;
        int w = 64;
        byte[] gts = new byte[h * w];
        for (int y = 5; y < 15; y++) {
            for (int x = 5; x < 15; x++) {
                gts[y * w + x] = 1;
                gts[(y + 40) * w + x + 40] = 1;
            }
        }
        byte[] imgs = new byte[h * w * 3];
        Case c = new Case("2DBox_US_0009", "US", false, false, new int[] {h, w, 3}, imgs, gts, null, null);
        TrainingSampler s = new TrainingSampler(List.of(c), SamplerConfig.defaults().withConnectedComponent(true));
        for (int e = 0; e < 5; e++) {
            byte[] m = s.sample(e, 0).mask();
            assertThat(ConnectedComponents.of(m, 256, 256)).hasSize(1);
        }
        TrainingSampler whole = new TrainingSampler(List.of(c), SamplerConfig.defaults());
        assertThat(ConnectedComponents.of(whole.sample(0, 0).mask(), 256, 256)).hasSize(2);
    }

    @Test
    void casesWithMoreThan255ObjectsGiveMasksOfTheirOwnLabel() {
        // 256 x 256 (no resize): 300 squares of 6 x 6, labels 1..300, the image bright where a label is
        int side = 256;
        short[] gts = new short[side * side];
        byte[] imgs = new byte[side * side * 3];
        for (int i = 0; i < 300; i++) {
            int x0 = (i % 20) * 12 + 3;
            int y0 = (i / 20) * 17 + 5;
            for (int y = y0; y < y0 + 6; y++) {
                for (int x = x0; x < x0 + 6; x++) {
                    gts[y * side + x] = (short) (i + 1);
                    Arrays.fill(imgs, 3 * (y * side + x), 3 * (y * side + x) + 3, (byte) 255);
                }
            }
        }
        Case c = new Case("2DBox_Microscope_0009", "Microscopy", false, false, new int[] {side, side, 3}, imgs,
                org.umedsam.io.LabelArray.ofUint16(gts), null, null);
        // no flips, so that mask pixels sit where their labels are
        TrainingSampler s = new TrainingSampler(List.of(c), new SamplerConfig(2024L, 5, false, false, Map.of()));
        boolean above255 = false;
        for (int e = 0; e < 40; e++) {
            Sample x = s.sample(e, 0);
            above255 |= x.label() > 255;
            int n = 0;
            for (int p = 0; p < x.mask().length; p++) {
                if (x.mask()[p] != 0) {
                    n++;
                    assertThat(gts[p] & 0xFFFF).as("epoch %d label %d", e, x.label()).isEqualTo(x.label());
                }
            }
            assertThat(n).isEqualTo(36);
        }
        assertThat(above255).as("some of 40 draws among 300 labels is above 255").isTrue();
    }

    @Test
    void batchStacksInBatchOrder() {
        TrainingSampler s = new TrainingSampler(cases(), SamplerConfig.defaults());
        SampleBatch b = s.batches(0, 3).next();
        assertThat(b.imageShape()).containsExactly(3, 3, 256, 256);
        assertThat(b.maskShape()).containsExactly(3, 1, 256, 256);
        assertThat(b.boxes()[4]).isEqualTo(b.samples().get(1).box()[0]);
        assertThat(b.masks()[256 * 256 + 1000]).isEqualTo(b.samples().get(1).mask()[1000]);
        assertThat(b.images()[2 * 3 * 256 * 256 + 5]).isEqualTo(b.samples().get(2).image()[5]);
    }

    @Test
    void groupsOfBoxesShareOneImageAndTakeDifferentLabels() {
        List<Case> cs = List.of(case2d("2DBox_US_0001", 100, 120, 1), case2d("2DBox_US_0002", 90, 110, 2));
        TrainingSampler s = new TrainingSampler(cs, SamplerConfig.defaults().withBoxesPerImage(3).withIntensity(true));
        assertThat(s.epochSize(0)).isEqualTo(6);
        for (int g = 0; g < 2; g++) {
            Sample a = s.sample(0, 3 * g);
            java.util.Set<Integer> labels = new java.util.HashSet<>();
            for (int j = 0; j < 3; j++) {
                Sample b = s.sample(0, 3 * g + j);
                assertThat(b.image()).isEqualTo(a.image());
                assertThat(b.caseName()).isEqualTo(a.caseName());
                labels.add(b.label());
                // the box holds its own target
                int[] t = BoxPrompts.tightBox(b.mask(), Sample.SIDE, Sample.SIDE);
                assertThat(b.box()[0]).isLessThanOrEqualTo(t[0]);
                assertThat(b.box()[3]).isGreaterThanOrEqualTo(t[3]);
            }
            assertThat(labels).hasSize(3); // three labels present: all three used
        }
        // a pure function of (seed, epoch, position)
        TrainingSampler again = new TrainingSampler(cs, SamplerConfig.defaults().withBoxesPerImage(3).withIntensity(true));
        assertThat(again.sample(0, 4).mask()).isEqualTo(s.sample(0, 4).mask());
        assertThat(again.sample(0, 4).image()).isEqualTo(s.sample(0, 4).image());
    }

    @Test
    void intensityChangesKeepThePaddingAndTheRange() {
        float[] chw = new float[3 * 8 * 8];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 6; x++) {
                    chw[c * 64 + y * 8 + x] = (y * 6 + x) / 30f;
                }
            }
        }
        boolean changed = false;
        for (int seed = 0; seed < 20; seed++) {
            float[] a = chw.clone();
            IntensityAugmentation.apply(a, 8, 0, 0, 5, 6, new java.util.Random(seed));
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        float v = a[c * 64 + y * 8 + x];
                        assertThat(v).isBetween(0f, 1f);
                        if (y >= 5 || x >= 6) {
                            assertThat(v).as("padding").isZero();
                        }
                    }
                }
            }
            changed |= !Arrays.equals(a, chw);
        }
        assertThat(changed).isTrue();
    }
}
