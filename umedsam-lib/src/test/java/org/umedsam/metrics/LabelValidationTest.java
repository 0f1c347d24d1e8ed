package org.umedsam.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * Labels as the challenge stores them (issue 15): a float {@code segs} with fractions is refused by
 * name, not truncated into a wrong score; uint16 labels of cases with more than 255 objects are
 * scored class by class, none truncated to a byte.
 */
class LabelValidationTest {
    @Test
    void fractionalPredictedLabelsAreRefused(@TempDir Path dir) throws IOException {
        Path gts = dir.resolve("gts.npz");
        Path segs = dir.resolve("segs.npz");
        Npz.write(gts, Map.of("gts", NpyArray.ofUint8(new byte[] {0, 1, 1, 0}, 2, 2)), true);
        Npz.write(segs, Map.of("segs", NpyArray.ofFloat32(new float[] {0, 0.5f, 1, 0}, 2, 2)), true);
        assertThatThrownBy(() -> CaseScore.evaluateFiles(gts, segs, ScoreConfig.defaults()))
                .isInstanceOf(IOException.class).hasMessageStartingWith(segs.toString())
                .hasMessageContaining("'segs' value 0.5 at index 1").hasMessageContaining("is not a whole number");
    }

    @Test
    void uint16LabelsOfThreeHundredObjectsAreScoredPerClass(@TempDir Path dir) throws IOException {
        // 300 objects of 3 x 2 pixels on a 60 x 100 image (cells of 5 x 4); the prediction misses
        // object 300 and labels object 44 as 300 + 44 (a byte would read both as 44)
        int h = 60;
        int w = 100;
        short[] g = new short[h * w];
        for (int i = 0; i < 300; i++) {
            int x0 = (i % 20) * 5 + 1;
            int y0 = (i / 20) * 4 + 1;
            for (int y = y0; y < y0 + 2; y++) {
                for (int x = x0; x < x0 + 3; x++) {
                    g[y * w + x] = (short) (i + 1);
                }
            }
        }
        short[] s = g.clone();
        for (int p = 0; p < s.length; p++) {
            if (s[p] == 300) {
                s[p] = 0;
            } else if (s[p] == 44) {
                s[p] = 344;
            }
        }
        Path gts = dir.resolve("2DBox_Microscope_0001.npz");
        Path segs = dir.resolve("segs.npz");
        Npz.write(gts, Map.of("gts", NpyArray.ofUint16(g, h, w)), true);
        Npz.write(segs, Map.of("segs", NpyArray.ofUint16(s, h, w)), true);
        CaseScore score = CaseScore.evaluateFiles(gts, segs, ScoreConfig.defaults());
        assertThat(score.classes()).isEqualTo(300);
        assertThat(score.classDsc()[0]).isEqualTo(1.0);
        assertThat(score.classDsc()[43]).isZero();
        assertThat(score.classDsc()[299]).isZero();
        assertThat(score.dsc()).isCloseTo(298.0 / 300, within(1e-12));
        assertThat(score.nsd()).isCloseTo(298.0 / 300, within(1e-12));
        // the same labels in int32 score the same
        Npz.write(segs, Map.of("segs", NpyArray.ofInt32(toInts(s), h, w)), true);
        assertThat(CaseScore.evaluateFiles(gts, segs, ScoreConfig.defaults()).dsc()).isEqualTo(score.dsc());
    }

    private static int[] toInts(short[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] & 0xFFFF;
        }
        return out;
    }
}
