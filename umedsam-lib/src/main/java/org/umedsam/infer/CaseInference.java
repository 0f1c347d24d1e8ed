package org.umedsam.infer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.data.CaseWriter;
import org.umedsam.io.LabelArray;

/**
 * Inference on whole challenge cases: 2D cases through {@link ImageInference}, 3D cases through
 * {@link VolumePropagation}; predictions written as the challenge expects them ({@code NAME.npz}
 * with {@code segs}, compressed, uint8 up to 255 boxes and uint16 beyond, the shape of the case's labels: {@code [H, W]} or
 * {@code [D, H, W]}).
 */
public final class CaseInference {
    private final SliceSegmenter segmenter;
    private final VolumePropagation propagation;

    /**
     * @param segmenter           the model (or any {@link SliceSegmenter})
     * @param maxCachedEmbeddings slice embeddings kept between the two 3D sweeps ({@link VolumePropagation})
     */
    public CaseInference(SliceSegmenter segmenter, int maxCachedEmbeddings) {
        this.segmenter = segmenter;
        this.propagation = new VolumePropagation(segmenter, maxCachedEmbeddings);
    }

    /**
     * A case's prediction.
     *
     * @param name       case file name
     * @param threeD     whether it is a volume
     * @param segs       labels 0..N, row-major
     * @param shape      {@code [H, W]} or {@code [D, H, W]}
     * @param boxes      box prompts used
     * @param embeddings images embedded
     * @param decodes    boxes decoded
     */
    public record Output(String name, boolean threeD, LabelArray segs, int[] shape, int boxes, int embeddings, int decodes) {
        /** Readable in a notebook: the shape's values, not the array's identity. */
        @Override
        public String toString() {
            return "Output[" + name + ", " + (threeD ? "3D " : "2D ") + java.util.Arrays.toString(shape) + ", " + boxes
                    + " boxes, " + embeddings + " embeddings, " + decodes + " decodes]";
        }
    }

    /** Predicts every box prompt of a case (which must carry {@code boxes}). */
    public Output predict(Case c) {
        if (!c.hasBoxes()) {
            throw new IllegalArgumentException(c.name() + ": no 'boxes' to prompt with");
        }
        int[][] raw = c.boxes();
        double[][] boxes = new double[raw.length][];
        for (int i = 0; i < raw.length; i++) {
            boxes[i] = new double[raw[i].length];
            for (int k = 0; k < raw[i].length; k++) {
                boxes[i][k] = raw[i][k];
            }
        }
        if (c.threeD()) {
            VolumePropagation.Result r = propagation.segment(c.imgs(), c.depth(), c.height(), c.width(), boxes);
            return new Output(c.name(), true, r.segs(), new int[] {c.depth(), c.height(), c.width()}, raw.length,
                    r.embeddings(), r.decodes());
        }
        LabelArray segs = ImageInference.segment(segmenter, c.slice(0), boxes);
        return new Output(c.name(), false, segs, new int[] {c.height(), c.width()}, raw.length,
                raw.length == 0 ? 0 : 1, raw.length);
    }

    /**
     * Reads {@code input} and predicts it, writing nothing: every failure here is the case's (an
     * unreadable or malformed file, a box the image cannot hold), never the output's.
     *
     * @throws IOException naming the file when it cannot be read, has no boxes or a box is refused
     */
    public Output predictCase(Path input) throws IOException {
        Case c = CaseReader.read(input);
        try {
            return predict(c);
        } catch (IllegalArgumentException e) {
            throw new IOException(input + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@code input}, predicts it and writes {@code outputDir/<file name>}.
     *
     * @throws IOException naming the file when it cannot be read or has no boxes
     */
    public Output predictFile(Path input, Path outputDir) throws IOException {
        Output out = predictCase(input);
        Files.createDirectories(outputDir);
        CaseWriter.writeSegs(outputDir.resolve(input.getFileName().toString()), out.segs(), out.shape());
        return out;
    }
}
