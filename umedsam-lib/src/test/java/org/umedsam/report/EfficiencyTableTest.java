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

    /** {@link #timings()} with a second 2D case, {@code c}. */
    static Table twoImagesOneVolume() {
        Table t = timings();
        t.append(Tables.readCsv(new StringReader("""
                case,modality,size,objects,configuration,repeat,position,seconds
                c,MR,181×181,8,baseline,0,0,2.0
                c,MR,181×181,8,full,0,1,2.2
                c,MR,181×181,8,full,1,0,2.4
                c,MR,181×181,8,baseline,1,1,4.0
                """), "efficiency.csv"));
        return t;
    }

    @Test
    void meanAndSdOverRepeatsPerCaseAndPerSizeClass() {
        Table t = EfficiencyTable.of(twoImagesOneVolume());
        // the 3D class holds one case: a row for it would only repeat that case's row
        assertThat(t.stringColumn("Case").asList()).containsExactly("a", "b", "c", "all 2D cases", "all cases");
        assertThat(t.stringColumn("Modality").get(0)).isEqualTo("US");
        // a baseline: 1.0 and 3.0 -> mean 2, sd sqrt(2)
        assertThat(t.stringColumn("baseline (s)").get(0)).isEqualTo("2.00 ± 1.41");
        assertThat(t.stringColumn("full (s)").get(1)).isEqualTo("12.00 ± 2.83");
        // all 2D cases, baseline: repeat 0 mean (1+2)/2 = 1.5, repeat 1 (3+4)/2 = 3.5 -> 2.50 ± 1.41
        assertThat(t.stringColumn("baseline (s)").get(3)).isEqualTo("2.50 ± 1.41");
        // all cases, baseline: repeat 0 mean (1+8+2)/3, repeat 1 (3+12+4)/3 -> 5.00 ± 1.89
        assertThat(t.stringColumn("baseline (s)").get(4)).isEqualTo("5.00 ± 1.89");
        assertThat(t.stringColumn("full / baseline").get(0)).isEqualTo("0.65");
        assertThat(TableRenderer.markdown(t)).contains("| all 2D cases |").doesNotContain("all 3D cases");
        // an aggregate row's case columns: dashes in Markdown, empty in the CSV, for Objects as for the others
        assertThat(TableRenderer.markdown(t)).contains("| all cases | – | – | – | 2 |");
        assertThat(TableRenderer.csv(t)).contains("\nall cases,,,,2,");
    }

    @Test
    void aClassOfOneCaseGetsNoRowOfItsOwn() {
        assertThat(EfficiencyTable.of(timings()).stringColumn("Case").asList()).containsExactly("a", "b", "all cases");
    }

    @Test
    void missingColumnsAreNamed() {
        Table t = Tables.readCsv(new StringReader("case,seconds\na,1\n"), "efficiency.csv");
        assertThatThrownBy(() -> EfficiencyTable.of(t)).hasMessageContaining("efficiency.csv")
                .hasMessageContaining("configuration");
    }
}
