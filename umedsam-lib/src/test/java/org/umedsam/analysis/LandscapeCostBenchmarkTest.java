package org.umedsam.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.report.LandscapeSurface;
import org.umedsam.train.Batch;
import org.umedsam.train.LiteMedSamModel;
import org.umedsam.train.ParameterGroup;
import org.umedsam.train.TrainingExample;

/**
 * The cost of one landscape grid point on the small preset with the profiles' trained group (mask
 * decoder): the numbers behind {@link AblationSettings}' landscape sizes. Run on one core with
 * {@code taskset -c 0 nice -n 15 mvn -B -o -q -pl umedsam-lib test -Dgroups=benchmark
 * -Dtest=LandscapeCostBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class LandscapeCostBenchmarkTest {
    @Test
    void secondsPerGridPointAndPerSharpnessEstimate() {
        for (int batchSize : new int[] {2, 3, 4}) {
            measure(batchSize);
        }
    }

    private static void measure(int batchSize) {
        int side = 256;
        List<TrainingExample> ex = new ArrayList<>();
        Random r = new Random(1);
        for (int k = 0; k < batchSize; k++) {
            float[] img = new float[3 * side * side];
            byte[] mask = new byte[side * side];
            for (int i = 0; i < img.length; i++) {
                img[i] = r.nextFloat();
            }
            for (int y = 60; y < 180; y++) {
                for (int x = 70 + k; x < 190; x++) {
                    mask[y * side + x] = 1;
                }
            }
            ex.add(new TrainingExample("ex" + k, img, new float[] {60, 50, 200, 190}, mask, side, side, "synthetic"));
        }
        Batch batch = Batch.of(ex);
        LiteMedSamModel model = new LiteMedSamModel(LiteMedSamModel.create("small", 0), true);
        LossLandscape l = new LossLandscape(model, model.parameterNames(ParameterGroup.MASK_DECODER_AND_SIGMAS),
                CommonObjective.loss(), new double[0], batch);
        long t0 = System.nanoTime();
        double centre = l.loss(); // includes the one embedding of the batch
        double first = (System.nanoTime() - t0) / 1e9;
        Map<String, INDArray> d1 = l.randomDirection(1);
        Map<String, INDArray> d2 = l.randomDirection(2);
        double[] g = LossLandscape.grid(5, 1.0);
        long t1 = System.nanoTime();
        LandscapeSurface s = l.surface("bench", d1, d2, g, g);
        double perPoint = (System.nanoTime() - t1) / 1e9 / (g.length * g.length);
        long t2 = System.nanoTime();
        LossLandscape.Sharpness sharp = l.sharpness(0.05, 4, 3, 3);
        double sharpness = (System.nanoTime() - t2) / 1e9;
        System.out.printf(java.util.Locale.ROOT,
                "landscape cost (batch %d, %dx%d): first evaluation with embedding %.3f s, %.3f s per grid point, "
                        + "sharpness (4 directions, 3 ascent steps) %.2f s%n", batchSize, side, side, first, perPoint,
                sharpness);
        assertThat(centre).isFinite();
        assertThat(s.losses()[2][2]).isEqualTo(centre, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(sharp.sharpness()).isFinite();
    }
}
