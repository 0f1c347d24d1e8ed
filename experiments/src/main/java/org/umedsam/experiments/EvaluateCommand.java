package org.umedsam.experiments;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.umedsam.metrics.CaseScore;
import org.umedsam.metrics.ChallengeEvaluation;
import org.umedsam.metrics.MetricTable;
import org.umedsam.metrics.ScoreConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code umedsam evaluate}: the challenge's DSC and NSD for a folder of predictions, per case and per
 * modality, written as the challenge's CSV.
 */
@Command(name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
                "Scores predicted segmentations against ground truth as the CVPR 2024 MedSAM-on-Laptop "
                        + "challenge does: DSC and NSD (tolerance 2) per class 1..max(gts), means per case, "
                        + "NSD 0 when the mean DSC is not above 0.2; 2D cases with unit spacing, 3D cases with "
                        + "their stored spacing.",
                "Prints one line per case, then per-modality and overall means."})
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--segs", required = true, paramLabel = "DIR", description = "Predictions: NAME.npz with 'segs'.")
    Path segs;

    @Option(names = "--gts", required = true, paramLabel = "DIR",
            description = "Ground truth: NAME.npz with 'gts' (and 'spacing' for 3D); lists the cases.")
    Path gts;

    @Option(names = "--csv", required = true, paramLabel = "FILE", description = "Output CSV: case,dsc,nsd.")
    Path csv;

    @Option(names = "--decimals", defaultValue = "6",
            description = "Decimals in the CSV, 0..17 (default: ${DEFAULT-VALUE}).")
    int decimals;

    @Option(names = "--tolerance", defaultValue = "2.0",
            description = "NSD tolerance in mm (pixels for 2D) (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--extras", description = "Also compute HD95 and average surface distance (slower).")
    boolean extras;

    @Option(names = "--per-case-csv", paramLabel = "FILE",
            description = "Also write every per-case column (dimension, modality, synthetic, classes, hd95, asd).")
    Path perCaseCsv;

    @Option(names = "--overwrite",
            description = "Replace --csv / --per-case-csv files that already exist (default: refuse before scoring).")
    boolean overwrite;

    /** Most decimals a double carries meaningfully. */
    static final int MAX_DECIMALS = 17;

    @Override
    public Integer call() throws Exception {
        if (decimals < 0 || decimals > MAX_DECIMALS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--decimals must be 0.." + MAX_DECIMALS
                    + ", got " + decimals);
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tolerance must be a finite distance >= 0, got "
                    + tolerance);
        }
        // outputs checked before scoring: writable, never one of the input files, never replaced unless asked
        List<Path> inputs = new java.util.ArrayList<>(ChallengeEvaluation.caseFiles(gts));
        if (inputs.isEmpty()) {
            throw new java.io.IOException(gts + ": no .npz cases to score");
        }
        if (java.nio.file.Files.isDirectory(segs)) {
            inputs.addAll(ChallengeEvaluation.caseFiles(segs));
        }
        List<Path> outputs = perCaseCsv == null ? List.of(csv) : List.of(csv, perCaseCsv);
        if (perCaseCsv != null && OutputLocations.same(csv, perCaseCsv)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--csv and --per-case-csv both name " + csv
                    + "; the per-case table would replace the challenge CSV, choose two files");
        }
        OutputLocations.refuseInputs(outputs, inputs, "--csv");
        // refusals that create nothing come before the write checks, which make missing parent folders
        OutputLocations.refuseExisting(outputs, overwrite);
        for (Path o : outputs) {
            OutputLocations.requireWritableFile(o, o == csv ? "--csv" : "--per-case-csv");
        }
        PrintWriter out = spec.commandLine().getOut();
        ScoreConfig defaults = ScoreConfig.defaults();
        ScoreConfig config = new ScoreConfig(tolerance, defaults.minMeanDscForNsd(), extras);
        out.printf("%-40s %4s %-12s %9s %9s%s%n", "case", "dim", "modality", "DSC", "NSD",
                extras ? String.format(" %9s %9s", "HD95", "ASD") : "");
        long t0 = System.nanoTime();
        MetricTable table = ChallengeEvaluation.evaluate(segs, gts, config, s -> printCase(out, s));
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.println();
        out.println(Tables.render(table.perModality()));
        out.println(Tables.render(table.overall()));
        table.writeChallengeCsv(csv, decimals);
        if (perCaseCsv != null) {
            table.writePerCaseCsv(perCaseCsv);
        }
        out.printf("%d cases scored in %.2f s; wrote %s%n", table.size(), seconds, csv);
        long undefined = table.scores().stream().filter(sc -> Double.isNaN(sc.dsc())).count();
        if (undefined > 0) {
            out.printf("note: %d %s an undefined DSC (no labels in gts, or a class 1..max(gts) in neither mask): "
                    + "left out of the DSC means, NSD 0 by the challenge's rule and counted in the NSD means%n",
                    undefined, undefined == 1 ? "case has" : "cases have");
        }
        out.flush();
        return 0;
    }

    private void printCase(PrintWriter out, CaseScore s) {
        out.printf("%-40s %4s %-12s %9s %9s%s%s%s%n", s.name(), s.caseName().dimension(), s.caseName().modality(),
                fixed(s.dsc(), 4), fixed(s.nsd(), 4), extras ? " " + fixed(s.hd95(), 3) + " " + fixed(s.asd(), 3) : "",
                s.caseName().synthetic() ? "  (synthetic)" : "",
                Double.isNaN(s.dsc()) ? "  (DSC undefined: " + (s.classes() == 0 ? "no labels in gts" : "a class in "
                        + "neither mask") + "; NSD 0 by the challenge's rule)" : "");
        out.flush();
    }

    /** {@code x} with {@code decimals} places, right-aligned in 9 characters; n/a for NaN. */
    private static String fixed(double x, int decimals) {
        return String.format("%9s", Double.isNaN(x) ? "n/a" : String.format("%." + decimals + "f", x));
    }
}
