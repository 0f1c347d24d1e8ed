package org.umedsam.experiments;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.data.CaseWriter;
import org.umedsam.infer.CaseInference;
import org.umedsam.infer.Predictor;
import org.umedsam.metrics.ChallengeEvaluation;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ShippedModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code umedsam infer}: the challenge's LiteMedSAM inference on a folder of cases with box prompts,
 * one {@code segs} file per case.
 */
@Command(name = "infer",
        mixinStandardHelpOptions = true,
        description = {
                "Segments every box prompt of every case in --input (challenge .npz files with 'imgs' and "
                        + "'boxes') as the challenge's LiteMedSAM inference does: 2D images embedded once and every "
                        + "box decoded; 3D boxes propagated from their middle slice up and down, each slice's "
                        + "embedding shared by all boxes on it.",
                "Writes --output/NAME.npz with 'segs' (uint8, or uint16 when a label above 255 is written, as the "
                        + "challenge does for cases with more than 255 objects) and prints "
                        + "per-case seconds and a summary. --output may not be --input, and existing predictions are "
                        + "kept unless --overwrite is given (or left in place and their cases not predicted again with "
                        + "--skip-existing); all this is checked before the model loads."})
public final class InferCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "Model weights: an upstream .pth state dict (e.g. lite_medsam.pth, read as LiteMedSAM), a "
                    + "umedsam model file, a training run's .ckpt, or a shipped model's name (small-base).")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Cases: *.npz with 'imgs' and 'boxes'.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where NAME.npz predictions go.")
    Path output;

    @Option(names = "--threads", defaultValue = "2",
            description = "Threads for the model and the Java-side work (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--overwrite", description = "Replace predictions already in --output (default: refuse before any work).")
    boolean overwrite;

    @Option(names = "--skip-existing", description = "Keep predictions already in --output and predict only the other "
            + "cases (to continue an interrupted or failed batch); not with --overwrite.")
    boolean skipExisting;

    @Option(names = "--skip-bad-cases", description = "Report each unreadable or malformed case in one line and go on "
            + "with the rest; the exit code is still 2 when any case was skipped (default: stop at the first).")
    boolean skipBadCases;

    @Option(names = "--cache-slices", defaultValue = "64",
            description = "3D: slice embeddings kept between the upward and downward sweeps, 4 MiB each "
                    + "(default: ${DEFAULT-VALUE}).")
    int cacheSlices;

    @Override
    public Integer call() throws Exception {
        return OutputLocations.removingNewEmptyFolderOnFailure(output, this::predict);
    }

    private Integer predict() throws Exception {
        if (threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        if (cacheSlices < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cache-slices must be 0 or more, got " + cacheSlices);
        }
        if (overwrite && skipExisting) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--overwrite and --skip-existing exclude each other: replace existing predictions or keep them");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Path> all = ChallengeEvaluation.caseFiles(input);
        if (all.isEmpty()) {
            throw new java.io.IOException(input + ": no .npz cases");
        }
        // every output location is checked before the model loads: nothing is lost, no work wasted; and the
        // inputs (cases, checkpoint) before anything is created
        OutputLocations.refuseSameFolder(output, input, "--output", "--input");
        List<Path> targets = all.stream().map(c -> output.resolve(c.getFileName().toString())).toList();
        OutputLocations.refuseInputs(targets, all, "--output");
        OutputLocations.refuseNonFolder(output, "--output");
        List<Path> cases = all;
        if (skipExisting) {
            cases = all.stream().filter(c -> !java.nio.file.Files.exists(output.resolve(c.getFileName().toString())))
                    .toList();
        } else {
            OutputLocations.refuseExisting(targets, overwrite);
        }
        // a shipped model's name, as the option's help says (until 2026-12-07 it was refused as a missing file)
        Path weights = ShippedModels.locate(checkpoint);
        if (!java.nio.file.Files.isRegularFile(weights)) {
            throw new java.io.IOException(checkpoint + ": no such checkpoint file");
        }
        OutputLocations.requireWritableFolder(output, "--output");
        if (cases.isEmpty()) {
            out.printf("summary: all %d cases already have predictions in %s (--skip-existing); nothing to do%n",
                    all.size(), output);
            out.flush();
            return 0;
        }
        if (cases.size() < all.size()) {
            out.printf("keeping %d predictions already in %s (--skip-existing); predicting the other %d cases%n",
                    all.size() - cases.size(), output, cases.size());
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        long t0 = System.nanoTime();
        LiteMedSam model = Predictor.loadModel(weights);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        out.printf("loaded %s (%,d parameters) in %.2f s; %d cases, %d threads%n", checkpoint, model.parameterCount(),
                loadSeconds, cases.size(), threads);
        out.flush();
        CaseInference inference = new CaseInference(Predictor.of(model), cacheSlices);
        List<Double> seconds = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        int boxes = 0;
        int embeddings = 0;
        ForkJoinPool pool = new ForkJoinPool(threads);
        // a bar redraws itself with carriage returns: only for a terminal, never into a log file
        boolean terminal = System.console() != null;
        try (ProgressBar bar = !terminal ? null : new ProgressBarBuilder().setTaskName("infer")
                .setInitialMax(cases.size()).setStyle(me.tongfei.progressbar.ProgressBarStyle.ASCII)
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    err.print("\r" + line);
                    err.flush();
                })).build()) {
            for (Path file : cases) {
                long a = System.nanoTime();
                CaseInference.Output o;
                try {
                    o = pool.submit(() -> inference.predictCase(file)).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = CliErrors.unwrap(e.getCause() == null ? e : e.getCause());
                    if (!skipBadCases || !CliErrors.isBadInput(cause)) {
                        throw e.getCause() instanceof Exception ex ? ex : e;
                    }
                    skipped.add(file);
                    if (bar != null) { // end the bar's line
                        err.println();
                    }
                    err.println(spec.qualifiedName() + ": skipped "
                            + CliErrors.oneLine(String.valueOf(cause.getMessage())));
                    err.flush();
                    if (bar != null) {
                        bar.step();
                    }
                    continue;
                }
                CaseWriter.writeSegs(output.resolve(file.getFileName().toString()), o.segs(), o.shape());
                double s = (System.nanoTime() - a) / 1e9;
                seconds.add(s);
                boxes += o.boxes();
                embeddings += o.embeddings();
                out.printf("%-40s %s %-14s %3d boxes %4d embeddings %8.2f s%n", file.getFileName(),
                        o.threeD() ? "3D" : "2D", java.util.Arrays.toString(o.shape()), o.boxes(), o.embeddings(), s);
                out.flush();
                if (bar != null) {
                    bar.step();
                }
            }
        } finally {
            pool.shutdown();
            if (terminal) { // end the progress bar's line
                err.println();
            }
            err.flush();
        }
        double total = seconds.stream().mapToDouble(Double::doubleValue).sum();
        double max = seconds.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        int predicted = seconds.size();
        out.printf("summary: %d cases, %d boxes, %d embeddings; %.2f s in total, %.2f s per case on average, "
                + "%.2f s the slowest (model load %.2f s not included); predictions in %s%n", predicted, boxes,
                embeddings, total, predicted == 0 ? 0 : total / predicted, max, loadSeconds, output);
        out.flush();
        if (!skipped.isEmpty()) {
            err.println(spec.qualifiedName() + ": " + skipped.size() + " of " + cases.size() + " cases skipped as "
                    + "unreadable (first: " + skipped.get(0) + "); they have no prediction, the other " + predicted
                    + " have");
            err.flush();
            return CliErrors.BAD_INPUT;
        }
        return 0;
    }
}
