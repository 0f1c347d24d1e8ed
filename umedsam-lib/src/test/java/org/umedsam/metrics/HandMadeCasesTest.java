package org.umedsam.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Metrics on small cases whose values are derived by hand (derivations in the comments).
 *
 * <p>Notation: c = sqrt(3)/8 is the surfel area of a neighbourhood code with a single occupied
 * voxel at unit spacing (one corner triangle, normal (±1,±1,±1)/8); e = sqrt(2)/2 the area of a
 * code with two voxels side by side (codes 5 and 10: two normals of length sqrt(2)/4); a code with
 * four voxels forming a face (85, 170) has area 1.
 */
class HandMadeCasesTest {
    static final double C = Math.sqrt(3) / 8;
    static final double E = Math.sqrt(2) / 2;

    static int idx(int[] shape, int z, int y, int x) {
        return (z * shape[1] + y) * shape[2] + x;
    }

    @Test
    void surfelAreaTableFollowsTheNormalFormula() {
        double[] unit = SurfelAreaTable.areas(new double[] {1, 1, 1});
        assertThat(unit[0]).isZero();
        assertThat(unit[255]).isZero();
        // one voxel: a corner triangle with normal (1,1,1)/8, area sqrt(3)/8, for every single bit
        for (int bit = 0; bit < 8; bit++) {
            assertThat(unit[1 << bit]).isCloseTo(C, within(1e-15));
        }
        assertThat(unit[85]).isCloseTo(1.0, within(1e-15));
        assertThat(unit[5]).isCloseTo(E, within(1e-15));
        // spacing (2,3,4): normal (1,1,1)/8 -> (3*4, 2*4, 2*3)/8 = (1.5, 1, 0.75), norm sqrt(3.8125)
        double[] aniso = SurfelAreaTable.areas(new double[] {2, 3, 4});
        assertThat(aniso[1]).isCloseTo(Math.sqrt(3.8125), within(1e-15));
        // code 15 (the four voxels with offset 1 on axis 0): a face across axes 1 and 2,
        // two normals (1/2, 0, 0) -> area 2 * 0.5 * s1 * s2 = 12
        assertThat(aniso[15]).isCloseTo(12.0, within(1e-12));
    }

    @Test
    void singleVoxelAgainstItself() {
        // one voxel: the crop is 2x2x2 and each position sees the voxel in exactly one octant, so 8
        // border positions with single-bit codes, area 8c = sqrt(3); all distances 0
        int[] shape = {3, 3, 3};
        boolean[] g = new boolean[27];
        g[idx(shape, 1, 1, 1)] = true;
        SurfaceDistances sd = SurfaceDistances.compute(g, g.clone(), shape, new double[] {1, 1, 1});
        assertThat(sd.distancesGtToPred()).hasSize(8).containsOnly(0.0);
        assertThat(sd.gtSurfaceArea()).isCloseTo(Math.sqrt(3), within(1e-15));
        assertThat(SurfaceDice.atTolerance(sd, 0.0)).isEqualTo(1.0);
        assertThat(RobustHausdorff.hd95(sd)).isZero();
        assertThat(AverageSurfaceDistance.symmetric(sd)).isZero();
        assertThat(Dice.coefficient(g, g.clone())).isEqualTo(1.0);
    }

    @Test
    void singleVoxelsThreeApartWithAnisotropicSpacing() {
        // voxels at x=2 and x=5 on a row; crop x extent 0..4 (union box 2..5 plus pad); gt borders at
        // crop x 0,1, prediction borders at 3,4 (each with 4 (y,z) positions). With spacing 0.5 on
        // axis 2: gt x=1 -> pred x=3 is 2 steps = 1.0 mm, gt x=0 -> 1.5 mm; symmetric for the prediction.
        int[] shape = {3, 3, 8};
        boolean[] g = new boolean[72];
        boolean[] p = new boolean[72];
        g[idx(shape, 1, 1, 2)] = true;
        p[idx(shape, 1, 1, 5)] = true;
        double[] spacing = {1, 1, 0.5};
        SurfaceDistances sd = SurfaceDistances.compute(g, p, shape, spacing);
        assertThat(sd.distancesGtToPred()).containsExactly(1.0, 1.0, 1.0, 1.0, 1.5, 1.5, 1.5, 1.5);
        assertThat(sd.distancesPredToGt()).containsExactly(1.0, 1.0, 1.0, 1.0, 1.5, 1.5, 1.5, 1.5);
        // every surfel: normal (1,1,1)/8 scaled to (1*0.5, 1*0.5, 1*1)/8 = (0.0625, 0.0625, 0.125),
        // area sqrt(0.0234375)
        for (double a : sd.surfelAreasGt()) {
            assertThat(a).isCloseTo(Math.sqrt(0.0234375), within(1e-15));
        }
        // equal areas: NSD is the share of surfels within tolerance
        assertThat(SurfaceDice.atTolerance(sd, 0.99)).isZero();
        assertThat(SurfaceDice.atTolerance(sd, 1.0)).isCloseTo(0.5, within(1e-15));
        assertThat(SurfaceDice.atTolerance(sd, 1.5)).isCloseTo(1.0, within(1e-15));
        // 95% of the area is first reached by the 8th surfel (cumulative share 1.0), at 1.5 mm
        assertThat(RobustHausdorff.hd95(sd)).isEqualTo(1.5);
        // 50% is reached exactly at the 4th surfel (share 4/8), at 1.0 mm
        assertThat(RobustHausdorff.distance(sd, 50)).isEqualTo(1.0);
        assertThat(AverageSurfaceDistance.gtToPred(sd)).isCloseTo(1.25, within(1e-15));
        assertThat(Dice.coefficient(g, p)).isZero();
        // the same at unit spacing: distances 2 and 3, NSD at 2.0 is 0.5
        SurfaceDistances unit = SurfaceDistances.compute(g, p, shape, new double[] {1, 1, 1});
        assertThat(SurfaceDice.atTolerance(unit, 2.0)).isCloseTo(0.5, within(1e-15));
        assertThat(RobustHausdorff.hd95(unit)).isEqualTo(3.0);
    }

    @Test
    void emptyPrediction() {
        // gt surfels have no surface to reach: distances +inf, NSD 0, HD95 +inf; Dice 0
        int[] shape = {3, 3, 3};
        boolean[] g = new boolean[27];
        g[idx(shape, 1, 1, 1)] = true;
        boolean[] p = new boolean[27];
        SurfaceDistances sd = SurfaceDistances.compute(g, p, shape, new double[] {1, 1, 1});
        assertThat(sd.distancesGtToPred()).hasSize(8).containsOnly(Double.POSITIVE_INFINITY);
        assertThat(sd.distancesPredToGt()).isEmpty();
        assertThat(SurfaceDice.atTolerance(sd, 2.0)).isZero();
        assertThat(RobustHausdorff.hd95(sd)).isInfinite();
        assertThat(AverageSurfaceDistance.symmetric(sd)).isInfinite();
        assertThat(Dice.coefficient(g, p)).isZero();
        // as a challenge case: one class, DSC 0, not above 0.2, so NSD 0
        byte[] gts = new byte[27];
        gts[idx(shape, 1, 1, 1)] = 1;
        CaseScore s = CaseScore.evaluate("3DBox_CT_0001.npz", gts, new byte[27], shape, new double[] {1, 1, 1},
                ScoreConfig.defaults().withSurfaceExtras(true));
        assertThat(s.dsc()).isZero();
        assertThat(s.nsd()).isZero();
        assertThat(s.classNsd()[0]).isZero();
        assertThat(s.hd95()).isInfinite();
    }

    @Test
    void bothEmptyGivesNaNLikeUpstream() {
        boolean[] none = new boolean[8];
        assertThat(Dice.coefficient(none, none)).isNaN();
        SurfaceDistances sd = SurfaceDistances.compute(none, none, new int[] {2, 2, 2}, new double[] {1, 1, 1});
        assertThat(sd.distancesGtToPred()).isEmpty();
        assertThat(SurfaceDice.atTolerance(sd, 2.0)).isNaN();
    }

    @Test
    void emptyGroundTruthClass() {
        // classes 1..max(gts) = 1..2; class 1 is absent from gts but predicted: DSC_1 = 0, and its
        // NSD is 0 (prediction surfels at +inf); class 2 is perfect: DSC_2 = NSD_2 = 1.
        // Mean DSC 0.5 > 0.2, so NSD = (0 + 1) / 2 = 0.5.
        int[] shape = {4, 4, 4};
        byte[] gts = new byte[64];
        byte[] segs = new byte[64];
        gts[idx(shape, 2, 2, 2)] = 2;
        segs[idx(shape, 2, 2, 2)] = 2;
        segs[idx(shape, 0, 0, 0)] = 1;
        CaseScore s = CaseScore.evaluate("3DBox_MR_0002.npz", gts, segs, shape, new double[] {1, 1, 1},
                ScoreConfig.defaults());
        assertThat(s.classes()).isEqualTo(2);
        assertThat(s.classDsc()).containsExactly(0.0, 1.0);
        assertThat(s.dsc()).isEqualTo(0.5);
        assertThat(s.classNsd()).containsExactly(0.0, 1.0);
        assertThat(s.nsd()).isEqualTo(0.5);
        // class 1 absent from both: Dice 0/0 = NaN, the mean is NaN, NaN > 0.2 is false, NSD = 0
        segs[idx(shape, 0, 0, 0)] = 0;
        CaseScore t = CaseScore.evaluate("3DBox_MR_0002.npz", gts, segs, shape, new double[] {1, 1, 1},
                ScoreConfig.defaults());
        assertThat(t.classDsc()[0]).isNaN();
        assertThat(t.dsc()).isNaN();
        assertThat(t.nsd()).isZero();
    }

    @Test
    void twoDimensionalSquaresShiftedByThree() {
        // 4x4 squares at x 1..4 (gt) and 4..7 (pred): overlap 4 pixels, DSC = 8/32 = 0.25 > 0.2.
        // The 2D case is scored as [H, W, 1] with spacing 1: the object is a one-voxel slab, every
        // crop position touching it is a border (its z-neighbourhood always holds an empty layer),
        // in two z-layers that mirror each other. Per layer, over the 5x5 positions touching the gt
        // square: 4 corners (area c), 12 edges (area e), 9 interior faces (area 1), total T.
        // Distances to the prediction's positions (x crop columns 3..7): column 0 -> 3, column 1 -> 2,
        // column 2 -> 1, columns 3-4 -> 0. Only column 0 (2 corners + 3 edges, X = 2c + 3e) is beyond
        // 2 pixels; the prediction is the mirror image. NSD = (T - X) / T.
        int h = 6;
        int w = 10;
        byte[] gts = new byte[h * w];
        byte[] segs = new byte[h * w];
        for (int y = 1; y <= 4; y++) {
            for (int x = 1; x <= 4; x++) {
                gts[y * w + x] = 1;
                segs[y * w + x + 3] = 1;
            }
        }
        double t = 4 * C + 12 * E + 9;
        double x = 2 * C + 3 * E;
        CaseScore s = CaseScore.evaluate("2DBox_US_0003.npz", gts, segs, new int[] {h, w}, null,
                ScoreConfig.defaults().withSurfaceExtras(true));
        assertThat(s.dsc()).isEqualTo(0.25);
        assertThat(s.nsd()).isCloseTo((t - x) / t, within(1e-12));
        assertThat((t - x) / t).isCloseTo(0.8608092, within(1e-7));
        // column 0 alone holds X/T = 14% of the area, so the 95th percentile lies in it: 3 pixels
        assertThat(s.hd95()).isEqualTo(3.0);
        // average: (3 X + 2 (2e + 3) + 1 (2e + 3)) / T = (6c + 15e + 9) / T per direction
        assertThat(s.asd()).isCloseTo((6 * C + 15 * E + 9) / t, within(1e-12));
        assertThat(s.caseName().modality()).isEqualTo("US");
        assertThat(s.caseName().threeD()).isFalse();
    }

    @Test
    void nsdIsZeroWhenMeanDiceIsExactlyTheThreshold() {
        // gt 5 pixels in a row, prediction 5 pixels sharing one: DSC = 2*1/10 = 0.2, not above 0.2
        byte[] gts = new byte[20];
        byte[] segs = new byte[20];
        for (int i = 0; i < 5; i++) {
            gts[i] = 1;
            segs[4 + i] = 1;
        }
        CaseScore s = CaseScore.evaluate("2DBox_XRay_0004.npz", gts, segs, new int[] {2, 10}, null,
                ScoreConfig.defaults());
        assertThat(s.dsc()).isEqualTo(0.2);
        assertThat(s.nsd()).isZero();
        assertThat(s.classNsd()[0]).isNaN();
    }

    @Test
    void badInputIsRefusedClearly() {
        assertThatThrownBy(() -> CaseScore.evaluate("3DBox_CT_0005.npz", new byte[4], new byte[4],
                new int[] {2, 2}, new double[] {1, 1, 1}, ScoreConfig.defaults()))
                .hasMessageContaining("3DBox_CT_0005.npz").hasMessageContaining("[D, H, W]");
        assertThatThrownBy(() -> CaseScore.evaluate("2DBox_CT_0005.npz", new byte[4], new byte[3],
                new int[] {2, 2}, null, ScoreConfig.defaults()))
                .hasMessageContaining("do not both hold shape");
        assertThatThrownBy(() -> SurfaceDistances.compute(new boolean[8], new boolean[8], new int[] {2, 2, 2},
                new double[] {1, 0, 1})).hasMessageContaining("spacing");
    }

    @Test
    void caseNamesGiveDimensionModalityAndSyntheticFlag() {
        assertThat(CaseName.parse("3DBox_CT_0566.npz")).isEqualTo(new CaseName("3DBox_CT_0566.npz", true, "CT", false));
        assertThat(CaseName.parse("/a/b/2D_synthetic_Endoscopy_0001.npz").synthetic()).isTrue();
        assertThat(CaseName.parse("/a/b/2D_synthetic_Endoscopy_0001.npz").modality()).isEqualTo("Endoscopy");
        assertThat(CaseName.parse("weird.npz").modality()).isEqualTo("unknown");
    }

    @Test
    void roundingFollowsNumpy() {
        assertThat(MetricTable.formatRounded(0.9359404, 6)).isEqualTo("0.93594");
        assertThat(MetricTable.formatRounded(1.0, 6)).isEqualTo("1.0");
        assertThat(MetricTable.formatRounded(0.0, 6)).isEqualTo("0.0");
        assertThat(MetricTable.formatRounded(Double.NaN, 6)).isEmpty();
        assertThat(MetricTable.formatRounded(0.00000049, 6)).isEqualTo("0.0");
    }
}
