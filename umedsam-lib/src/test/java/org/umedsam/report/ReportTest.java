package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class ReportTest {
    static final Path RECORDS = Path.of("src", "test", "resources", "records", "synthetic");

    /** Two configurations, two seeds, two modalities; values chosen so means and sds are exact by hand. */
    static Table scores() {
        String csv = """
                configuration,seed,case,modality,dsc,nsd
                full,0,a,mr,0.80,0.90
                full,0,b,mr,0.90,0.90
                full,1,a,mr,0.95,0.95
                full,1,b,mr,0.95,0.95
                full,0,c,ct,0.50,0.60
                full,1,c,ct,0.70,0.80
                baseline,0,a,mr,0.70,0.75
                baseline,0,c,ct,0.40,0.45
                baseline,0,d,ct,NaN,0.0
                """;
        return Tables.readCsv(new StringReader(csv), "scores.csv");
    }

    @Test
    void seedSummaryAveragesCasesThenSeeds() {
        List<SeedSummary.Cell> cells = SeedSummary.cells(scores());
        // configurations ordered baseline first, modalities ct before mr, average last
        assertThat(cells).extracting(c -> c.configuration() + "/" + c.modality()).containsExactly(
                "baseline/ct", "baseline/mr", "baseline/Average", "full/ct", "full/mr", "full/Average");
        SeedSummary.Cell fullMr = cells.get(4);
        // seed 0: (0.80 + 0.90) / 2 = 0.85; seed 1: 0.95 -> mean 0.90, sd = |0.95-0.85|/sqrt(2)
        assertThat(fullMr.seeds()).isEqualTo(2);
        assertThat(fullMr.cases()).isEqualTo(2);
        assertThat(fullMr.dscMean()).isCloseTo(0.90, within(1e-12));
        assertThat(fullMr.dscSd()).isCloseTo(0.10 / Math.sqrt(2), within(1e-12));
        SeedSummary.Cell fullAvg = cells.get(5);
        // macro average per seed: seed0 (0.5 + 0.85)/2 = 0.675, seed1 (0.7 + 0.95)/2 = 0.825
        assertThat(fullAvg.dscMean()).isCloseTo(0.75, within(1e-12));
        assertThat(fullAvg.dscSd()).isCloseTo(0.15 / Math.sqrt(2), within(1e-12));
        // one seed: no spread; the NaN case is skipped in the DSC mean but its NSD counts
        assertThat(cells.get(0).dscSd()).isNaN();
        assertThat(cells.get(0).dscMean()).isCloseTo(0.40, within(1e-12));
        assertThat(cells.get(0).nsdMean()).isCloseTo(0.225, within(1e-12));
    }

    @Test
    void table3MarksModalitiesWhoseCasesAreAllSynthetic() {
        Table scores = Tables.readCsv(new java.io.StringReader("""
                configuration,seed,case,modality,dsc,nsd
                full,0,2DBox_MR_colin27_z027,mr,0.80,0.90
                full,0,2D_synthetic_US_0005,us,0.50,0.60
                """), "marked.csv");
        assertThat(Table3.of(scores).stringColumn("Modality").asList()).containsExactly("MR", "US (synthetic)", "Average");
    }

    @Test
    void table3HasModalityRowsAndDscNsdColumnsPerConfiguration() {
        Table t = Table3.of(scores());
        assertThat(t.columnNames()).containsExactly("Modality", "baseline DSC", "baseline NSD", "full DSC", "full NSD");
        assertThat(t.stringColumn("Modality").asList()).containsExactly("CT", "MR", "Average");
        assertThat(t.stringColumn("full DSC").get(1)).isEqualTo("90.00 ± 7.07");
        assertThat(t.stringColumn("baseline DSC").get(0)).isEqualTo("40.00");
        String md = TableRenderer.markdown(t);
        assertThat(md.lines().toList()).hasSize(2 + 3);
        assertThat(md).startsWith("| Modality | baseline DSC |");
        String tex = TableRenderer.latex(t, "Ablation: DSC & NSD", "tab:ablation");
        assertThat(tex).contains("90.00 $\\pm$ 7.07").contains("DSC \\& NSD").contains("\\begin{tabular}{lcccc}")
                .contains("\\label{tab:ablation}");
    }

    @Test
    void table3FromRecordedScoresCoversNineModalities() throws IOException {
        Table t = Table3.of(Tables.readCsv(RECORDS.resolve("scores.csv")));
        assertThat(t.rowCount()).isEqualTo(10);
        assertThat(t.columnCount()).isEqualTo(1 + 2 * 4);
        assertThat(t.columnNames().subList(1, 9)).containsExactly("baseline DSC", "baseline NSD", "only-sd DSC",
                "only-sd NSD", "no-sam DSC", "no-sam NSD", "full DSC", "full NSD");
        assertThat(t.stringColumn("Modality").asList()).startsWith("CT", "MR", "PET", "US", "X-Ray");
    }

    @Test
    void table4AveragesRepeatsAndPivotsConfigurations() {
        String csv = """
                case,modality,size,objects,seconds,configuration
                CT_1,ct,512×512×100,3,10.0,full
                CT_1,ct,512×512×100,3,12.0,full
                CT_1,ct,512×512×100,3,9.0,baseline
                US_1,us,600×800,1,0.5,full
                """;
        Table t = Table4.of(Tables.readCsv(new StringReader(csv), "timings.csv"));
        assertThat(t.columnNames()).containsExactly("Case", "Modality", "Size", "Objects", "Time (s) baseline",
                "Time (s) full");
        assertThat(t.doubleColumn("Time (s) full").get(0)).isEqualTo(11.0);
        assertThat(t.doubleColumn("Time (s) baseline").isMissing(1)).isTrue();
        String md = TableRenderer.markdown(t);
        // one format per column: 11 prints as 11.0 beside 0.5
        assertThat(md).contains("| CT_1 | CT | 512×512×100 | 3 | 9 | 11.0 |").contains("| US_1 | US | 600×800 | 1 | – | 0.5 |");
        assertThat(TableRenderer.csv(t)).contains("US_1,US,600×800,1,,0.5");
    }

    @Test
    void rendererWritesAllThreeFormatsAtomically(@TempDir Path dir) throws IOException {
        Table t = Table4.of(Tables.readCsv(RECORDS.resolve("timings.csv")));
        List<Path> files = TableRenderer.writeAll(t, dir, "table4", "Running time", "tab:time");
        assertThat(files).allSatisfy(f -> assertThat(Files.size(f)).isGreaterThan(100));
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("table4.md", "table4.tex", "table4.csv");
        }
        Table back = Tables.readCsv(dir.resolve("table4.csv"));
        assertThat(back.rowCount()).isEqualTo(9);
    }

    @Test
    void signedDifferencesAlignRightLikeOtherNumbers() {
        Table t = Table.create("differences", tech.tablesaw.api.StringColumn.create("Modality", "CT", "MR"),
                tech.tablesaw.api.StringColumn.create("full - baseline DSC", "-1.20 [-2.00, -0.40]", "+0.36 [+0.02, +0.73]"));
        assertThat(TableRenderer.markdown(t).lines().toList().get(1)).isEqualTo("| --- | ---: |");
    }

    @Test
    void aColumnPrintsInOneFormat() {
        // random_increase of 05-sharpness-seeds: once 3.140e-04 beside 0.001013
        assertThat(TableRenderer.formatColumn(new double[] {3.1398e-4, 1.0125e-3, Double.NaN}))
                .containsExactly("3.140e-04", "1.013e-03", "–");
        assertThat(TableRenderer.formatColumn(new double[] {0.09872, 0.01072, 0.3}))
                .containsExactly("0.09872", "0.01072", "0.30000");
        assertThat(TableRenderer.formatColumn(new double[] {0.05, 0.05})).containsExactly("0.05", "0.05");
        assertThat(TableRenderer.formatColumn(new double[] {-2.2927, 0.4128})).containsExactly("-2.2927", "0.4128");
        assertThat(TableRenderer.formatColumn(new double[] {11, 0.5})).containsExactly("11.0", "0.5");
        assertThat(TableRenderer.formatColumn(new double[] {3, 12})).containsExactly("3", "12");
        Table t = Table.create("t", tech.tablesaw.api.DoubleColumn.create("x", 3.1398e-4, 1.0125e-3));
        assertThat(TableRenderer.markdown(t)).contains("| 3.140e-04 |").contains("| 1.013e-03 |");
    }

    @Test
    void numbersPrintToFourSignificantDigits() {
        assertThat(TableRenderer.format(107.654)).isEqualTo("107.7");
        assertThat(TableRenderer.format(0.12345)).isEqualTo("0.1235");
        assertThat(TableRenderer.format(0.5)).isEqualTo("0.5");
        assertThat(TableRenderer.format(12)).isEqualTo("12");
        assertThat(TableRenderer.format(Double.NaN)).isEqualTo("–");
        assertThat(TableRenderer.format(2.5e-5)).isEqualTo("2.500e-05");
    }

    @Test
    void csvFieldsWithCommasAreQuoted() {
        Table t = Tables.readCsv(new StringReader("name,value\n\"a, b\",1.5\n"), "x");
        assertThat(TableRenderer.csv(t)).isEqualTo("name,value\n\"a, b\",1.5\n");
    }

    @Test
    void runRecordsReadTermsSigmasAndIdentity() throws IOException {
        RunRecords r = RunRecords.read(RECORDS.resolve("runs").resolve("full-s1"));
        assertThat(r.configuration()).isEqualTo("full");
        assertThat(r.seed()).isEqualTo(1);
        assertThat(r.lossTerms()).containsExactly("dice", "bce", "iou", "sd");
        assertThat(r.sigmaTerms()).containsExactly("dice", "bce", "iou", "sd");
        assertThat(r.stepColumn("step")).hasSize(200);
        assertThat(r.epochs().rowCount()).isEqualTo(5);
        assertThat(RunRecords.read(RECORDS.resolve("runs").resolve("baseline-s0")).sigmaTerms()).isEmpty();
        assertThat(RunRecords.readAll(RECORDS.resolve("runs"))).hasSize(5);
    }

    @Test
    void runIdentityFallsBackToFolderName(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("no-sam-s2");
        Files.createDirectories(run);
        Files.writeString(run.resolve("steps.csv"), "step,loss_total,loss_dice\n0,1.0,0.5\n1,0.9,0.4\n");
        RunRecords r = RunRecords.read(run);
        assertThat(r.configuration()).isEqualTo("no-sam");
        assertThat(r.seed()).isEqualTo(2);
        assertThat(r.epochs()).isNull();
        Files.writeString(run.resolve("run.json"), "{\"config_name\": \"full-s3\", \"seed\": 3}");
        assertThat(RunRecords.read(run).configuration()).isEqualTo("full");
        assertThat(RunRecords.read(run).seed()).isEqualTo(3);
    }

    @Test
    void badRunFoldersAreNamedInErrors(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> RunRecords.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("no steps.csv")
                .hasMessageContaining(dir.toString());
        Files.writeString(dir.resolve("steps.csv"), "epoch,loss\n0,1\n");
        assertThatThrownBy(() -> RunRecords.read(dir)).hasMessageContaining("no 'step' column");
        Files.writeString(dir.resolve("steps.csv"), "step,loss\n0,1\n");
        Files.writeString(dir.resolve("run.json"), "{not json");
        assertThatThrownBy(() -> RunRecords.read(dir)).hasMessageContaining("run.json").hasMessageContaining("malformed JSON");
        Table missing = Tables.readCsv(new StringReader("configuration,seed,case,dsc\nfull,0,a,0.5\n"), "partial.csv");
        assertThatThrownBy(() -> Table3.of(missing)).hasMessageContaining("partial.csv").hasMessageContaining("[modality, nsd]");
    }

    @Test
    void runsDirectoryReadsEveryRunsDirectionPairsInOrder() throws IOException {
        List<LandscapeSet> sets = RunsDirectory.read(Path.of("src", "test", "resources", "records", "synthetic", "runs"))
                .landscapes();
        assertThat(sets).extracting(x -> x.configuration() + "-s" + x.seed())
                .containsExactly("baseline-s0", "baseline-s1", "no-sam-s0", "full-s0", "full-s1");
        assertThat(sets).allSatisfy(x -> {
            assertThat(x.lines()).hasSize(2);
            assertThat(x.surfaces()).hasSize(2);
            // the line along pair k's first direction is its surface's beta = 0 row
            for (int k = 0; k < 2; k++) {
                assertThat(x.lines().get(k).losses()).containsExactly(x.surfaces().get(k).rowAtBetaZero().losses());
            }
        });
        LandscapeSurface even = new LandscapeSurface("e", new double[] {-1, 1}, new double[] {-1, 1},
                new double[][] {{1, 2}, {3, 4}});
        assertThatThrownBy(even::rowAtBetaZero).hasMessageContaining("beta = 0");
    }

    @Test
    void landscapeRecordsRoundTrip(@TempDir Path dir) throws IOException {
        LandscapeSurface s = new LandscapeSurface("full", new double[] {-1, 0, 1}, new double[] {-0.5, 0.5},
                new double[][] {{3, 1, 2}, {4, 5, 6}});
        s.write(dir.resolve("s.csv"));
        LandscapeSurface back = LandscapeSurface.read(dir.resolve("s.csv"), "full");
        assertThat(back.losses()).isDeepEqualTo(s.losses());
        assertThat(back.alphas()).containsExactly(-1, 0, 1);
        LandscapeLine l = new LandscapeLine("x", new double[] {-1, -0.5, 0.5, 1}, new double[] {2, 1, 3, 4});
        assertThat(l.centerLoss()).isEqualTo(2.0);
        l.write(dir.resolve("l.csv"));
        assertThat(LandscapeLine.read(dir.resolve("l.csv"), "x").losses()).containsExactly(2, 1, 3, 4);
        assertThatThrownBy(() -> new LandscapeLine("x", new double[] {0, 0}, new double[] {1, 1}))
                .hasMessageContaining("ascending");
    }
}
