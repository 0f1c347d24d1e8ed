package org.umedsam.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class MetricTableTest {
    static CaseScore score(String name, double dsc, double nsd, double hd95) {
        CaseName n = CaseName.parse(name);
        return new CaseScore(n, new double[] {dsc}, new double[] {nsd}, new double[] {hd95}, new double[] {hd95 / 2},
                dsc, nsd, hd95, hd95 / 2);
    }

    @Test
    void groupsByModalityKeepsSyntheticApartAndSkipsNaN(@TempDir Path tmp) throws Exception {
        MetricTable t = new MetricTable();
        t.add(score("3DBox_CT_0002.npz", 0.8, 0.9, 2.0));
        t.add(score("3DBox_CT_0001.npz", 0.6, 0.5, Double.POSITIVE_INFINITY));
        t.add(score("2DBox_US_0001.npz", Double.NaN, 0.0, Double.NaN));
        t.add(score("2D_synthetic_US_0001.npz", 0.4, 0.3, 4.0));
        Table cases = t.perCase();
        assertThat(cases.rowCount()).isEqualTo(4);
        assertThat(cases.stringColumn("case").get(0)).isEqualTo("2DBox_US_0001.npz");
        Table mod = t.perModality();
        // real CT, real US, synthetic US
        assertThat(mod.rowCount()).isEqualTo(3);
        assertThat(mod.stringColumn("modality").asList()).containsExactly("CT", "US", "US");
        assertThat(mod.booleanColumn("synthetic").asList()).containsExactly(false, false, true);
        assertThat(mod.doubleColumn("dsc").get(0)).isCloseTo(0.7, within(1e-15));
        // sample sd of 0.8 and 0.6
        assertThat(mod.doubleColumn("dsc_sd").get(0)).isCloseTo(Math.sqrt(0.02), within(1e-15));
        assertThat(mod.doubleColumn("hd95").get(0)).isEqualTo(2.0);
        assertThat(mod.intColumn("surface_missing").get(0)).isEqualTo(1);
        // the NaN DSC is skipped, the case still counted
        assertThat(mod.intColumn("cases").get(1)).isEqualTo(1);
        assertThat(mod.doubleColumn("dsc").isMissing(1)).isTrue();
        Table all = t.overall();
        assertThat(all.stringColumn("scope").asList()).containsExactly("all", "real", "synthetic");
        assertThat(all.doubleColumn("dsc").get(0)).isCloseTo((0.8 + 0.6 + 0.4) / 3, within(1e-15));
        assertThat(all.doubleColumn("nsd").get(0)).isCloseTo((0.9 + 0.5 + 0.0 + 0.3) / 4, within(1e-15));

        Path csv = tmp.resolve("m.csv");
        t.writeChallengeCsv(csv, 4);
        assertThat(Files.readAllLines(csv)).containsExactly("case,dsc,nsd", "2DBox_US_0001.npz,,0.0",
                "2D_synthetic_US_0001.npz,0.4,0.3", "3DBox_CT_0001.npz,0.6,0.5", "3DBox_CT_0002.npz,0.8,0.9");
    }
}
