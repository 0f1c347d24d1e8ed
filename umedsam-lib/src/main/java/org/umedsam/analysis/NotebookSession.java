package org.umedsam.analysis;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.umedsam.report.ResultChecks;
import org.umedsam.report.RunsDirectory;
import org.umedsam.viz.FigureWriter;
import org.umedsam.viz.PaperFigures;

/**
 * What every research notebook starts with, in one call: the ablation study of the environment's profile
 * ({@link AblationStudy#fromEnvironment}), the figures folder ({@code UMEDSAM_FIGURES}, default
 * {@code ../figures}, created) and a header naming both.
 *
 * @param study   the profile's study (data, runs, settings)
 * @param figures where figures and tables go
 * @param writer  how figures are written
 */
public record NotebookSession(AblationStudy study, Path figures, FigureWriter writer) {

    /** Reads the environment, creates the figures folder and prints the header to {@code System.out}. */
    public static NotebookSession open() throws IOException {
        PrintStream log = System.out;
        Path figures = Path.of(System.getenv().getOrDefault("UMEDSAM_FIGURES", "../figures"));
        AblationStudy study = AblationStudy.fromEnvironment(log); // a misspelt profile is refused before anything is made
        Files.createDirectories(figures);
        NotebookSession s = new NotebookSession(study, figures, FigureWriter.defaults());
        AblationSettings a = s.study.settings();
        log.println("profile  " + a.profile() + ": " + a.configurations() + " x seeds " + a.seeds() + ", "
                + a.modelPreset() + " preset fine-tuned from " + (a.baseModel().isEmpty() ? "random weights" : a.baseModel())
                + ", " + a.trainable() + ", " + a.epochs() + " epoch(s)" + (a.maxSteps() > 0 ? ", max " + a.maxSteps()
                + " steps" : "") + ", " + (a.testCases() == 0 ? "the whole test split" : a.testCases() + " test cases"));
        log.println("data     " + s.study.dataRoot());
        log.println("runs     " + s.study.runsDir());
        log.println("figures  " + figures.toAbsolutePath().normalize());
        return s;
    }

    /** Whether the CI smoke profile runs ({@code UMEDSAM_SMOKE=1}). */
    public boolean smoke() {
        return "smoke".equals(study.settings().profile());
    }

    public AblationSettings settings() {
        return study.settings();
    }

    /** Every figure and table of the profile's runs folder, written into {@link #figures}. */
    public PaperFigures paper() throws IOException {
        return new PaperFigures(RunsDirectory.read(study.runsDir()), LongerRuns.finishedBeside(study.runsDir()),
                EveryParameterRuns.finishedBeside(study.runsDir()).orElse(null), figures, writer);
    }

    /** What cannot carry a conclusion in the runs so far ({@link ResultChecks}); display it. */
    public ResultChecks.Warnings checks() throws IOException {
        return ResultChecks.check(RunsDirectory.read(study.runsDir()));
    }
}
