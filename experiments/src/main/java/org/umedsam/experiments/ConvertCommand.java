package org.umedsam.experiments;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.data.NiftiCases;
import org.umedsam.data.NiftiConversion;
import org.umedsam.data.NiftiPair;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code umedsam convert}: NIfTI image/label pairs to 3D challenge cases ({@link NiftiCases}), the
 * input {@code train --data}, {@code infer --input} and {@code evaluate --gts} take.
 */
@Command(name = "convert",
        mixinStandardHelpOptions = true,
        description = {
                "Turns NIfTI image/label pairs (.nii or .nii.gz, labels an integer map) into 3D challenge cases "
                        + "(--out/<prefix><label name>.npz with imgs [D, H, W] uint8, gts [D, H, W] uint8 or uint16, "
                        + "spacing as the NIfTI pixdim x, y, z) as MedSAM's pre-processing (pre_CT_MR.py) does: CT "
                        + "clipped to --window, other modalities to the 0.5 and 99.5 percentiles of their voxels above "
                        + "0, then scaled to 0..255; label objects under 100 voxels (26-connected) and then, per "
                        + "slice, under 10 pixels (8-connected) removed; only the slices holding a label kept; "
                        + "labels numbered 1..k with one tight box each (boxes), as infer and evaluate expect.",
                "Existing cases in --out are kept unless --overwrite is given (checked before any conversion); "
                        + "each case is written atomically. A bad pair (unreadable, different grids, no label left) "
                        + "stops the run unless --skip-bad-cases; cases written before it stay."})
public final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Images, matched to --labels by name: LABEL.nii.gz or LABEL_0000.nii.gz (nnU-Net).")
    Path images;

    @Option(names = "--labels", paramLabel = "DIR", description = "Label maps, one case each (.nii, .nii.gz).")
    Path labels;

    @Option(names = "--image", paramLabel = "FILE", description = "One image (with --label, instead of the folders).")
    Path image;

    @Option(names = "--label", paramLabel = "FILE", description = "Its label map.")
    Path label;

    @Option(names = "--modality", required = true,
            description = "CT, MR, PET, ... (as the challenge names them; CT is windowed, the others clipped to "
                    + "percentiles).")
    String modality;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the .npz cases go.")
    Path out;

    @Option(names = "--prefix", description = "Case name prefix (default: 3D_<modality>_, the challenge's naming, "
            + "which evaluate reads as a 3D case of that modality).")
    String prefix;

    @Option(names = "--window", paramLabel = "LEVEL,WIDTH",
            description = "CT window in HU (default: 40,400, MedSAM's soft-tissue window).")
    String window;

    @Option(names = "--overwrite", description = "Replace cases already in --out (default: refuse before any work).")
    boolean overwrite;

    @Option(names = "--skip-bad-cases", description = "Report each bad pair in one line and convert the rest; the exit "
            + "code is still 2 when any pair was skipped (default: stop at the first).")
    boolean skipBadCases;

    @Override
    public Integer call() throws Exception {
        return OutputLocations.removingNewEmptyFolderOnFailure(out, this::convert);
    }

    private Integer convert() throws Exception {
        NiftiConversion config = config();
        List<NiftiPair> pairs = pairs();
        PrintWriter stdout = spec.commandLine().getOut();
        // every output is checked before the first conversion: nothing already there is lost, no work wasted
        OutputLocations.refuseNonFolder(out, "--out");
        List<Path> targets = pairs.stream().map(p -> NiftiCases.outputFile(p, config, out)).toList();
        OutputLocations.refuseExisting(targets, overwrite);
        OutputLocations.requireWritableFolder(out, "--out");
        BadInputs bad = new BadInputs(spec, skipBadCases);
        int written = 0;
        for (NiftiPair p : pairs) {
            Path file;
            try {
                file = write(p, config);
            } catch (IOException | IllegalArgumentException e) {
                bad.skipOrThrow(p.label(), e);
                continue;
            }
            written++;
            Case c = CaseReader.read(file); // what train and evaluate will see
            stdout.printf("%-40s %s gts %s, labels %s, spacing %s%n", file.getFileName(), Arrays.toString(c.shape()),
                    c.gts().isWide() ? "uint16" : "uint8", summary(c.labels()), Arrays.toString(c.spacing()));
            stdout.flush();
        }
        stdout.printf("summary: %d of %d pairs converted (%s) into %s%n", written, pairs.size(), config, out);
        stdout.flush();
        return bad.exitCode(pairs.size(), "pairs", "case");
    }

    /** {@link NiftiCases#write}, a pair too large for the heap refused in one line like any bad pair. */
    private Path write(NiftiPair p, NiftiConversion config) throws IOException {
        try {
            return NiftiCases.write(p, config, out, overwrite);
        } catch (OutOfMemoryError e) {
            // thrown by one of the pair's large arrays: once unwound they are garbage, so the heap is free again
            throw new IOException(p.label() + ": out of memory converting this pair (a heap of "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; give java more with -Xmx)");
        }
    }

    private NiftiConversion config() {
        NiftiConversion c;
        try {
            c = NiftiConversion.defaults(modality);
            if (window != null) {
                if (!c.windowed()) {
                    throw new IllegalArgumentException("--window applies to CT only; " + c.modality()
                            + " is clipped to percentiles");
                }
                String[] lw = window.split(",");
                if (lw.length != 2) {
                    throw new IllegalArgumentException("--window takes LEVEL,WIDTH (e.g. 40,400), got '" + window + "'");
                }
                double level;
                double width;
                try {
                    level = Double.parseDouble(lw[0].strip());
                    width = Double.parseDouble(lw[1].strip());
                } catch (NumberFormatException e) { // its own message names neither the option nor the value
                    throw new IllegalArgumentException("--window takes two numbers LEVEL,WIDTH (e.g. 40,400), got '"
                            + window + "'");
                }
                c = c.withWindow(level, width);
            }
            if (prefix != null) {
                c = c.withPrefix(prefix);
            }
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return c;
    }

    private List<NiftiPair> pairs() throws IOException {
        boolean folders = images != null || labels != null;
        boolean files = image != null || label != null;
        if (folders == files || (folders && (images == null || labels == null))
                || (files && (image == null || label == null))) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --images DIR and --labels DIR, or --image FILE and --label FILE");
        }
        if (folders) {
            return NiftiPair.find(images, labels);
        }
        for (Path f : List.of(image, label)) {
            if (!Files.isRegularFile(f)) {
                throw new IOException(f + ": no such NIfTI file");
            }
        }
        return List.of(NiftiPair.of(image, label));
    }

    private static String summary(int[] labels) {
        return labels.length <= 6 ? Arrays.toString(labels)
                : labels.length + " (" + labels[0] + ".." + labels[labels.length - 1] + ")";
    }
}
