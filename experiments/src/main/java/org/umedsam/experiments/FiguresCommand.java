package org.umedsam.experiments;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.umedsam.analysis.PreprocessingExamples;
import org.umedsam.data.DatasetManifest;
import org.umedsam.viz.FigureWriter;
import org.umedsam.viz.PaperFigures;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code umedsam figures}: regenerates every figure and table of the notebooks from a folder of
 * ablation runs (and the preprocessing figures from the default data), under the same file names
 * the notebooks use.
 */
@Command(name = "figures", mixinStandardHelpOptions = true,
        description = {"Regenerate every figure and table from ablation run folders (as the notebooks do).",
                "With the finished runs of profile long beside runs/full, also 03-training-length."})
public final class FiguresCommand implements Callable<Integer> {
    @Option(names = "--runs", paramLabel = "DIR", required = true,
            description = "folder of run folders, e.g. runs/full (one <configuration>-s<seed> folder per run)")
    Path runs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "figures", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--data", paramLabel = "DIR",
            description = "default data folder with manifest.json, for the 01-preprocessing figures (default: <checkout>/data; skipped when absent)")
    Path data;

    @Option(names = "--dpi", defaultValue = "72", description = "PNG resolution (72: screen size; 300 for print; default: ${DEFAULT-VALUE})")
    int dpi;

    @Option(names = "--no-svg", description = "PNG only")
    boolean noSvg;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FiguresCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (dpi < 1 || dpi > 1200) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dpi must be 1..1200, got " + dpi);
        }
        if (!Files.isDirectory(runs)) {
            throw new IOException("--runs " + runs + ": no such folder of runs");
        }
        OutputLocations.requireWritableFolder(out, "--out");
        PrintStream log = System.out;
        return write(runs, out, data == null ? Paths.root().resolve("data") : data, new FigureWriter(dpi, !noSvg), log);
    }

    /** Writes everything; returns 0 when at least one run figure was written. */
    static int write(Path runs, Path out, Path data, FigureWriter writer, PrintStream log) throws IOException {
        Files.createDirectories(out);
        Path manifest = data.resolve("manifest.json");
        Map<String, Map<String, Integer>> counts = null;
        if (Files.isRegularFile(manifest)) {
            DatasetManifest m = DatasetManifest.read(manifest);
            counts = m.counts();
            List<PreprocessingExamples.Example> ex = PreprocessingExamples.firstPerModality(m.files(data, "test"));
            PreprocessingExamples.figure(ex, out, writer);
            PreprocessingExamples.histogram(ex, false, out, writer);
            PreprocessingExamples.histogram(ex, true, out, writer);
            log.println("wrote 01-preprocessing, 01-histogram-stored, 01-histogram-input");
        } else {
            log.println("skipped 01-preprocessing: no " + manifest);
        }
        // full's runs trained four times as long (profile long), when they are finished beside them
        List<org.umedsam.report.RunsDirectory> longer = org.umedsam.analysis.LongerRuns.finishedBeside(runs);
        longer.forEach(l -> log.println("comparing with the longer runs in " + l.dir()));
        // the same study training every parameter (profile full-all beside full), when its runs have their scores
        org.umedsam.report.RunsDirectory everyParameter = org.umedsam.analysis.EveryParameterRuns.finishedBeside(runs)
                .orElse(null);
        if (everyParameter != null) {
            log.println("comparing with the runs training every parameter in " + everyParameter.dir());
        }
        List<String> done = new PaperFigures(org.umedsam.report.RunsDirectory.read(runs), longer, everyParameter, out,
                writer)
                .all(log, counts);
        log.println("wrote " + String.join(", ", done) + " into " + out.toAbsolutePath());
        return done.isEmpty() ? 1 : 0;
    }
}
