package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * One segmented slice kept for the qualitative figures: the network input, ground truth,
 * prediction and box prompt. Stored as {@code .npz} with {@code image} float32 [C, H, W],
 * {@code truth} and {@code prediction} uint8 [H, W] and {@code box} float64 [4].
 *
 * @param caseId     case identifier
 * @param modality   modality label
 * @param dsc        the slice's (or case's) DSC, for ranking best and worst
 * @param image      [C, H, W], C = 1 or 3
 * @param channels   C
 * @param height     H
 * @param width      W
 * @param truth      [H, W], any object
 * @param prediction [H, W], any object
 * @param box        x0 y0 x1 y1 in pixels of this image
 * @param truthLabels      [H, W] object label per pixel (0 background), so each object gets its own contour
 * @param predictionLabels [H, W] object label per pixel
 */
public record QualitativeExample(String caseId, String modality, double dsc, float[] image, int channels, int height,
                                 int width, boolean[] truth, boolean[] prediction, double[] box, byte[] truthLabels,
                                 byte[] predictionLabels) {
    /** An example of one object per mask: the labels are the masks (1 inside). */
    public QualitativeExample(String caseId, String modality, double dsc, float[] image, int channels, int height,
                              int width, boolean[] truth, boolean[] prediction, double[] box) {
        this(caseId, modality, dsc, image, channels, height, width, truth, prediction, box, bytes(truth), bytes(prediction));
    }

    /** An example from label maps {@code [H, W]} (0 background, one value per object). */
    public static QualitativeExample ofLabels(String caseId, String modality, double dsc, float[] image, int channels,
                                              int height, int width, byte[] truthLabels, byte[] predictionLabels,
                                              double[] box) {
        return new QualitativeExample(caseId, modality, dsc, image, channels, height, width, bools(truthLabels),
                bools(predictionLabels), box, truthLabels, predictionLabels);
    }

    public QualitativeExample {
        Objects.requireNonNull(caseId, "caseId");
        Objects.requireNonNull(modality, "modality");
        if (image.length != channels * height * width || truth.length != height * width
                || prediction.length != height * width || box.length != 4 || truthLabels.length != height * width
                || predictionLabels.length != height * width) {
            throw new IllegalArgumentException(caseId + ": expected image [" + channels + ", " + height + ", " + width
                    + "], masks [" + height + ", " + width + "] and box [4]");
        }
    }

    public void write(Path file) throws IOException {
        Map<String, NpyArray> a = new LinkedHashMap<>();
        a.put("image", NpyArray.ofFloat32(image, channels, height, width));
        a.put("truth", NpyArray.ofUint8(truthLabels, height, width));
        a.put("prediction", NpyArray.ofUint8(predictionLabels, height, width));
        a.put("box", NpyArray.ofFloat64(box, 4));
        Npz.write(file, a, true);
    }

    public static QualitativeExample read(Path file, String caseId, String modality, double dsc) throws IOException {
        Map<String, NpyArray> a = Npz.read(file, java.util.Set.of("image", "truth", "prediction", "box"));
        for (String k : new String[] {"image", "truth", "prediction", "box"}) {
            if (!a.containsKey(k)) {
                throw new IOException(file + ": no array '" + k + "' (keys: " + Npz.keys(file) + ")");
            }
        }
        int[] s = a.get("image").shape();
        if (s.length != 3) {
            throw new IOException(file + ": image must be [C, H, W], got rank " + s.length);
        }
        try {
            return ofLabels(caseId, modality, dsc, a.get("image").toFloatArray(), s[0], s[1], s[2],
                    a.get("truth").toUint8Array(), a.get("prediction").toUint8Array(), a.get("box").toDoubleArray());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(boolean[] m) {
        byte[] b = new byte[m.length];
        for (int i = 0; i < m.length; i++) {
            b[i] = (byte) (m[i] ? 1 : 0);
        }
        return b;
    }

    private static boolean[] bools(byte[] b) {
        boolean[] m = new boolean[b.length];
        for (int i = 0; i < b.length; i++) {
            m[i] = b[i] != 0;
        }
        return m;
    }
}
