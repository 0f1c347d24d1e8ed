package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image and its label map, both NIfTI ({@code .nii} or {@code .nii.gz}), matched by file name:
 * the label {@code case01.nii.gz} goes with the image {@code case01.nii.gz}, or with
 * {@code case01_0000.nii.gz} (nnU-Net's naming of the first channel, which MedSAM's pre-processing
 * expects by default), either extension.
 *
 * @param image the image file, {@code null} when the images folder holds none for this label
 * @param label the label file
 * @param stem the label's file name without {@code .nii.gz} / {@code .nii}; names the case
 */
public record NiftiPair(Path image, Path label, String stem) {
    public NiftiPair {
        if (label == null || stem == null || stem.isEmpty()) {
            throw new IllegalArgumentException("a NIfTI pair needs a label file and a non-empty stem, got " + label);
        }
    }

    /** One explicitly given pair. */
    public static NiftiPair of(Path image, Path label) {
        return new NiftiPair(image, label, stem(label.getFileName().toString()));
    }

    /**
     * The pairs of the labels in {@code labels} (not recursive), sorted by name, each with its image
     * from {@code images} or {@code null}.
     */
    public static List<NiftiPair> find(Path images, Path labels) throws IOException {
        for (Path d : List.of(images, labels)) {
            if (!Files.isDirectory(d)) {
                throw new IOException(d + ": not a folder of NIfTI files");
            }
        }
        List<NiftiPair> out = new ArrayList<>();
        try (var s = Files.list(labels)) {
            for (Path l : s.filter(p -> isNifti(p) && Files.isRegularFile(p)).sorted().toList()) {
                String stem = stem(l.getFileName().toString());
                // c.nii and c.nii.gz name one case: the second would replace the first's output
                for (NiftiPair o : out) {
                    if (o.stem().equals(stem)) {
                        throw new IOException(o.label() + " and " + l + ": two label files of one case '" + stem
                                + "'; keep one");
                    }
                }
                out.add(new NiftiPair(imageFor(images, stem), l, stem));
            }
        }
        if (out.isEmpty()) {
            throw new IOException(labels + ": no .nii or .nii.gz label files");
        }
        return out;
    }

    /** The names an image of {@code stem} may have, in the order they are tried. */
    public static List<String> imageNames(String stem) {
        return List.of(stem + ".nii.gz", stem + "_0000.nii.gz", stem + ".nii", stem + "_0000.nii");
    }

    private static Path imageFor(Path images, String stem) {
        for (String n : imageNames(stem)) {
            Path p = images.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    static boolean isNifti(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".nii.gz") || n.endsWith(".nii");
    }

    static String stem(String fileName) {
        if (fileName.endsWith(".nii.gz")) {
            return fileName.substring(0, fileName.length() - 7);
        }
        return fileName.endsWith(".nii") ? fileName.substring(0, fileName.length() - 4) : fileName;
    }
}
