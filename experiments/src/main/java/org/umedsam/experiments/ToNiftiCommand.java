package org.umedsam.experiments;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.umedsam.data.NiftiPredictions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code umedsam to-nifti}: {@code infer}'s predictions on cases made by {@code convert} back into label maps over
 * the original volumes ({@link NiftiPredictions}).
 */
@Command(name = "to-nifti",
        mixinStandardHelpOptions = true,
        description = {
                "Writes each prediction --segs/NAME.npz of infer, made on a case --cases/NAME.npz that convert wrote, "
                        + "as the label map --out/NAME.nii.gz on the source image's grid: its header's spacing and "
                        + "orientation, every slice at its place (the slices convert left out, which held no label, 0), "
                        + "each label as the label map's value it was converted from. It opens over the image in "
                        + "ITK-SNAP or 3D Slicer.",
                "Existing files in --out are kept unless --overwrite is given (checked before any work); each is "
                        + "written atomically. A bad prediction stops the run unless --skip-bad-cases; files written "
                        + "before it stay."})
public final class ToNiftiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--segs", required = true, paramLabel = "DIR", description = "Predictions of infer: NAME.npz with 'segs'.")
    Path segs;

    @Option(names = "--cases", required = true, paramLabel = "DIR",
            description = "The cases they were made on, as convert wrote them (infer's --input).")
    Path cases;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where NAME.nii.gz label maps go.")
    Path out;

    @Option(names = "--overwrite", description = "Replace label maps already in --out (default: refuse before any work).")
    boolean overwrite;

    @Option(names = "--skip-bad-cases", description = "Report each bad prediction in one line and write the rest; the "
            + "exit code is still 2 when any was skipped (default: stop at the first).")
    boolean skipBadCases;

    @Override
    public Integer call() throws Exception {
        return OutputLocations.removingNewEmptyFolderOnFailure(out, this::write);
    }

    private Integer write() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        List<Path> predictions = predictions();
        OutputLocations.refuseNonFolder(out, "--out");
        OutputLocations.refuseExisting(predictions.stream().map(p -> NiftiPredictions.outputFile(p, out)).toList(),
                overwrite);
        OutputLocations.requireWritableFolder(out, "--out");
        BadInputs bad = new BadInputs(spec, skipBadCases);
        for (Path p : predictions) {
            Path target = NiftiPredictions.outputFile(p, out);
            try {
                NiftiPredictions.write(cases.resolve(p.getFileName()), p, target);
            } catch (IOException | IllegalArgumentException e) {
                bad.skipOrThrow(p, e);
                continue;
            }
            stdout.println(target);
            stdout.flush();
        }
        stdout.printf("summary: %d of %d predictions written as label maps into %s%n", predictions.size() - bad.count(),
                predictions.size(), out);
        stdout.flush();
        return bad.exitCode(predictions.size(), "predictions", "label map");
    }

    /** The predictions in {@code --segs}, sorted; each needs its case in {@code --cases}. */
    private List<Path> predictions() throws IOException {
        for (Path dir : List.of(segs, cases)) {
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + ": no such folder");
            }
        }
        List<Path> found;
        try (Stream<Path> s = Files.list(segs)) {
            found = s.filter(p -> p.getFileName().toString().endsWith(".npz") && Files.isRegularFile(p)).sorted()
                    .toList();
        }
        if (found.isEmpty()) {
            throw new IOException(segs + ": no predictions (NAME.npz) in this folder");
        }
        for (Path p : found) {
            if (!skipBadCases && !Files.isRegularFile(cases.resolve(p.getFileName()))) {
                throw new IOException(p + ": no case " + p.getFileName() + " in " + cases);
            }
        }
        return found;
    }
}
