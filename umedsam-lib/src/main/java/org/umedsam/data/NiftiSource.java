package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * Where a case converted from NIfTI ({@link NiftiCases}) came from, stored in its {@code .npz} beside the
 * challenge's arrays so that predictions on it go back into the volume they were made from
 * ({@link NiftiPredictions}): the image's NIfTI header, which slice of the volume each of the case's slices
 * is, and which value of the label map each of the case's labels {@code 1..k} was.
 *
 * @param header the source image's 348 header bytes as stored (its grid, units and orientation), key
 *     {@value #HEADER_KEY}
 * @param slices {@code [D]}: the volume's z index of case slice {@code d}, ascending, key {@value #SLICES_KEY}
 * @param labelValues {@code [k]}: the label map's value of case label {@code i + 1}, key {@value #LABELS_KEY}
 */
public record NiftiSource(byte[] header, int[] slices, int[] labelValues) {
    /** Key of the source image's header bytes (uint8 [348]). */
    public static final String HEADER_KEY = "nifti_header";
    /** Key of the kept slices' z indices (int64 [D]). */
    public static final String SLICES_KEY = "nifti_slices";
    /** Key of the label map's values per case label (int64 [k]). */
    public static final String LABELS_KEY = "nifti_labels";

    public NiftiSource {
        if (header.length != 348) {
            throw new IllegalArgumentException("a NIfTI-1 header has 348 bytes, got " + header.length);
        }
        for (int d = 0; d < slices.length; d++) {
            if (slices[d] < 0 || (d > 0 && slices[d] <= slices[d - 1])) {
                throw new IllegalArgumentException("slice indices must ascend from 0 or more, got " + slices[d]
                        + " at " + d);
            }
        }
        for (int v : labelValues) {
            if (v < 1 || v > org.umedsam.io.LabelArray.MAX_LABEL) {
                throw new IllegalArgumentException("label values lie in 1.." + org.umedsam.io.LabelArray.MAX_LABEL
                        + ", got " + v);
            }
        }
    }

    /** The three arrays, as {@link CaseWriter#write(Case, Path, Map)} stores them. */
    public Map<String, NpyArray> arrays() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put(HEADER_KEY, NpyArray.ofUint8(header.clone(), header.length));
        m.put(SLICES_KEY, NpyArray.ofInt64(java.util.Arrays.stream(slices).asLongStream().toArray(), slices.length));
        m.put(LABELS_KEY, NpyArray.ofInt64(java.util.Arrays.stream(labelValues).asLongStream().toArray(),
                labelValues.length));
        return m;
    }

    /**
     * The source recorded in a case file, or empty when the case was not converted from NIfTI here.
     *
     * @throws IOException naming the file when the arrays are there but malformed
     */
    public static Optional<NiftiSource> read(Path caseFile) throws IOException {
        Map<String, NpyArray> m = Npz.read(caseFile, Set.of(HEADER_KEY, SLICES_KEY, LABELS_KEY));
        if (m.isEmpty()) {
            return Optional.empty();
        }
        for (String key : new String[] {HEADER_KEY, SLICES_KEY, LABELS_KEY}) {
            if (!m.containsKey(key)) {
                throw new IOException(caseFile + ": holds " + m.keySet() + " but not '" + key + "'");
            }
            if (m.get(key).rank() != 1) {
                throw new IOException(caseFile + ": '" + key + "' is not one-dimensional");
            }
        }
        try {
            return Optional.of(new NiftiSource(m.get(HEADER_KEY).toUint8Array(), m.get(SLICES_KEY).toIntArray(),
                    m.get(LABELS_KEY).toIntArray()));
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            throw new IOException(caseFile + ": unusable NIfTI source arrays: " + e.getMessage(), e);
        }
    }
}
