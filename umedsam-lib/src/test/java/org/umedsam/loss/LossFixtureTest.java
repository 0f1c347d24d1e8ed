package org.umedsam.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.umedsam.io.Npz;
import org.umedsam.io.NpyArray;

/** Every value and gradient in ../shared/fixtures/losses (PyTorch float64 autograd) to 1e-9 relative. */
class LossFixtureTest {
    static final Path DIR = Path.of("..", "..", "shared", "fixtures", "losses");

    static Stream<Path> cases() throws IOException {
        if (!Files.isDirectory(DIR)) {
            return Stream.of(DIR.resolve("absent"));
        }
        return Files.list(DIR).filter(p -> p.toString().endsWith(".npz")).sorted();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesFixture(Path file) throws IOException {
        assumeTrue(Files.isRegularFile(file), "fixtures absent: " + DIR.toAbsolutePath());
        Map<String, NpyArray> a = Npz.read(file);
        int[] shape = a.get("logits").shape();
        int b = shape[0];
        int h = shape[2];
        int w = shape[3];
        double[] target = a.get("target").toDoubleArray();
        TargetMaps[] maps = new TargetMaps[b];
        for (int i = 0; i < b; i++) {
            double[] t = java.util.Arrays.copyOfRange(target, i * h * w, (i + 1) * h * w);
            maps[i] = TargetMaps.of(t, h, w);
        }
        MaskBatch batch = new MaskBatch(b, h, w, a.get("logits").toDoubleArray(), a.get("iou_pred").toDoubleArray(),
                maps);

        double[] sdMap = a.get("shape_distance_map").toDoubleArray();
        double[] phi = a.get("signed_distance_map").toDoubleArray();
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < h * w; k++) {
                assertClose(file + " shape_distance_map", maps[i].shapeDistanceMap()[k], sdMap[i * h * w + k]);
                assertClose(file + " signed_distance_map", maps[i].signedDistanceMap()[k], phi[i * h * w + k]);
            }
        }
        assertArrayClose(file + " iou_target", IouHeadLoss.iouTargets(batch), a.get("iou_target").toDoubleArray());

        for (String name : List.of("dice", "bce", "mse", "iou", "sd", "bd")) {
            LossTerm t = Losses.byName(name).evaluate(batch);
            assertClose(file + " " + name, t.value(), a.get(name).getDouble(0));
            assertArrayClose(file + " grad_logits_" + name, t.gradLogits(),
                    a.get("grad_logits_" + name).toDoubleArray());
        }
        double[] s = a.get("s").toDoubleArray();
        List<SegLoss> four = Losses.byNames(List.of("dice", "bce", "iou", "sd"));
        for (var form : UncertaintyWeightedLoss.Form.values()) {
            String key = form == UncertaintyWeightedLoss.Form.PAPER ? "total_paper" : "total_code";
            CombinedLoss c = new UncertaintyWeightedLoss(four, form).evaluate(batch, s);
            assertClose(file + " " + key, c.total(), a.get(key).getDouble(0));
            assertArrayClose(file + " grad_logits_" + key, c.gradLogits(), a.get("grad_logits_" + key).toDoubleArray());
            assertArrayClose(file + " grad_s_" + key, c.gradLogSigma(), a.get("grad_s_" + key).toDoubleArray());
            assertArrayClose(file + " grad_iou_pred_" + key, c.gradIou(),
                    a.get("grad_iou_pred_" + key).toDoubleArray());
        }
    }

    /** Relative error under 1e-9, with an absolute floor for values that are (nearly) zero. */
    static void assertClose(String what, double got, double want) {
        double err = Math.abs(got - want) / Math.max(Math.abs(want), 1e-12);
        if (Math.abs(got - want) < 1e-15) {
            return;
        }
        assertThat(err).as(what + ": got " + got + " want " + want).isLessThan(1e-9);
    }

    /** Relative error of the whole array (max abs difference over max abs value) under 1e-9. */
    static void assertArrayClose(String what, double[] got, double[] want) {
        assertThat(got).as(what + " length").hasSize(want.length);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < got.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(want[i]));
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        }
        assertThat(maxDiff).as(what + ": max diff " + maxDiff + " max value " + maxAbs)
                .isLessThanOrEqualTo(1e-9 * Math.max(maxAbs, 1e-12));
    }
}
