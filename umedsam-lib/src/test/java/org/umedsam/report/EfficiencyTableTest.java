package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class EfficiencyTableTest {
    static Table timings() {
        return Tables.readCsv(new StringReader("""
                case,modality,size,objects,configuration,repeat,position,seconds
                a,US,200×150,3,baseline,0,0,1.0
                a,US,200×150,3,full,0,1,1.2
                b,CT,16×128×128,2,full,0,0,10.0
                b,CT,16×128×128,2,baseline,0,1,8.0
                a,US,200×150,3,full,1,0,1.4
                a,US,200×150,3,baseline,1,1,3.0
                b,CT,16×128×128,2,baseline,1,0,12.0
                b,CT,16×128×128,2,full,1,1,14.0
                """), "efficiency.csv");
    }

    @Test
    void meanAndSdOverRepeatsPerCaseAndPerSizeClass() {
        Table t = EfficiencyTable.of(timings());
        assertThat(t.stringColumn("Case").asList()).containsExactly("a", "b", "all 2D cases", "all 3D cases", "all cases");
        assertThat(t.stringColumn("Modality").get(0)).isEqualTo("US");
        // a baseline: 1.0 and 3.0 -> mean 2, sd sqrt(2)
        assertThat(t.stringColumn("baseline (s)").get(0)).isEqualTo("2.00 ± 1.41");
        assertThat(t.stringColumn("full (s)").get(1)).isEqualTo("12.00 ± 2.83");
        // all cases, baseline: repeat 0 mean (1+8)/2 = 4.5, repeat 1 (3+12)/2 = 7.5 -> 6.00 ± 2.12
        assertThat(t.stringColumn("baseline (s)").get(4)).isEqualTo("6.00 ± 2.12");
        assertThat(t.stringColumn("full / baseline").get(0)).isEqualTo("0.65");
        assertThat(TableRenderer.markdown(t)).contains("| all 3D cases |");
    }

    @Test
    void missingColumnsAreNamed() {
        Table t = Tables.readCsv(new StringReader("case,seconds\na,1\n"), "efficiency.csv");
        assertThatThrownBy(() -> EfficiencyTable.of(t)).hasMessageContaining("efficiency.csv")
                .hasMessageContaining("configuration");
    }
}
