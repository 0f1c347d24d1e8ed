package org.umedsam.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.io.StateDictMismatchException;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelFiles;
import org.umedsam.model.ShippedModels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The weights a run starts from ({@link TrainConfig#initialWeights()}), so that a run fine-tunes a
 * published or earlier model instead of a random one, as the paper fine-tunes the released
 * LiteMedSAM. A shipped model's name ({@code small-base}, see {@link org.umedsam.model.ShippedModels})
 * stands for its file. Three file kinds, told apart by their extension and read by {@link ModelFiles}:
 * <ul>
 *   <li>{@code .pth} / {@code .pt}: a PyTorch state dict with the upstream key names (bare or
 *       {@code {"model": ...}}), e.g. {@code lite_medsam.pth};</li>
 *   <li>{@code .ckpt}: a umedsam training checkpoint ({@link Checkpoint}): its parameters and
 *       buffers (its optimizer state and sigmas are not carried over: a new run starts them afresh);</li>
 *   <li>anything else: a umedsam model file ({@link LiteMedSam#save}).</li>
 * </ul>
 * Loading is strict: every parameter and buffer of the model must be in the file with its shape,
 * and the file may hold nothing else; the error names the file and the keys.
 */
public final class InitialWeights {
    private InitialWeights() {
    }

    /** Reads a weights file into upstream-named arrays. */
    public static Map<String, INDArray> read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads a weights file; a {@code .pth} is checked against {@code expectedShapes} (when given)
     * before any tensor is materialised, so a hostile file cannot exhaust memory.
     */
    static Map<String, INDArray> read(Path file, Map<String, long[]> expectedShapes) throws IOException {
        if (!Files.isRegularFile(file) && !ShippedModels.isName(file.toString())) {
            throw new IOException(file + ": initial weights file does not exist");
        }
        return ModelFiles.readStateDict(file, expectedShapes);
    }

    /** Copies {@code weights} into the model's live parameters and buffers; strict (see the class doc). */
    public static void apply(TrainableModel model, Map<String, INDArray> weights, String source) {
        Map<String, INDArray> target = new LinkedHashMap<>(model.parameters());
        target.putAll(model.buffers());
        TreeSet<String> missing = new TreeSet<>(target.keySet());
        missing.removeAll(weights.keySet());
        TreeSet<String> extra = new TreeSet<>(weights.keySet());
        extra.removeAll(target.keySet());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(source + ": initial weights do not fit the model: "
                    + (missing.isEmpty() ? "" : missing.size() + " missing keys (first: " + missing.first() + ")")
                    + (!missing.isEmpty() && !extra.isEmpty() ? "; " : "")
                    + (extra.isEmpty() ? "" : extra.size() + " unexpected keys (first: " + extra.first() + ")")
                    + " - is it a checkpoint of another model preset?");
        }
        for (Map.Entry<String, INDArray> e : target.entrySet()) {
            INDArray src = weights.get(e.getKey());
            if (!StateArrays.fits(e.getValue(), src)) {
                throw new IllegalArgumentException(source + ": initial weight " + e.getKey() + " has shape "
                        + Arrays.toString(src.shape()) + ", the model expects " + Arrays.toString(e.getValue().shape()));
            }
        }
        // every shape was checked above, so nothing is half-loaded when one does not fit
        for (Map.Entry<String, INDArray> e : target.entrySet()) {
            StateArrays.assignChecked(e.getValue(), weights.get(e.getKey()), e.getKey());
        }
        model.weightsChanged(target.keySet());
    }

    /**
     * {@link #read} then {@link #apply}. When the file does not fit the model but holds the weights of another
     * preset, the error says so in one short line ("these are litemedsam weights; pass --preset litemedsam"),
     * with the number of problems and the first.
     */
    public static void load(TrainableModel model, Path file) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        model.parameters().forEach((k, v) -> shapes.put(k, v.shape()));
        model.buffers().forEach((k, v) -> shapes.put(k, v.shape()));
        try {
            apply(model, read(file, shapes), file.toString());
        } catch (IOException | IllegalArgumentException e) {
            String other = ModelFiles.presetOf(file);
            if (other == null || ModelFiles.sameShapes(ModelFiles.shapes(other), shapes)) {
                throw e;
            }
            throw new IllegalArgumentException(file + ": these are " + other + " weights; pass --preset " + other
                    + " (or set modelPreset) to start from them (" + firstProblem(e, file) + ")", e);
        }
    }

    /**
     * "N problem(s), first: ..." of a file whose shapes were refused before it was read, else the message without
     * the file's name (which the caller's line already starts with).
     */
    static String firstProblem(Exception e, Path file) {
        if (e instanceof StateDictMismatchException m) {
            return m.problems().count() + " problem(s), first: " + m.problems().first();
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        String prefix = file + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
