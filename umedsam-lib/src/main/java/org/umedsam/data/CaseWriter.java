package org.umedsam.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.umedsam.io.LabelArray;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/**
 * Writes cases and predictions in the challenge's {@code .npz} layout, atomically
 * ({@link Npz#write}). Labels ({@code gts}, {@code segs}) are uint8 when every label fits a byte and
 * uint16 otherwise, as the challenge stores them. Key order follows the challenge files: {@code imgs}, {@code gts},
 * {@code spacing}, {@code boxes}.
 */
public final class CaseWriter {
    private CaseWriter() {
    }

    /** Writes {@code c} as {@code dir/<name>.npz} (compressed) and returns the path. */
    public static Path write(Case c, Path dir) throws IOException {
        return write(c, dir, Map.of());
    }

    /**
     * {@link #write(Case, Path)} with more arrays after the challenge's (e.g. a {@link NiftiSource}'s); readers of
     * cases ignore keys they do not know.
     */
    public static Path write(Case c, Path dir, Map<String, NpyArray> extra) throws IOException {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        int[] shape = c.threeD() || c.channels() == 3 ? c.shape() : new int[] {c.height(), c.width()};
        m.put("imgs", NpyArray.ofUint8(c.imgs(), shape));
        int[] spatial = c.threeD() ? c.shape() : new int[] {c.height(), c.width()};
        if (c.gts() != null) {
            m.put("gts", c.gts().toNpy(spatial));
        }
        if (c.threeD()) {
            m.put("spacing", NpyArray.ofFloat64(c.spacing().clone(), 3));
        }
        if (c.boxes() != null) {
            int w = c.threeD() ? 6 : 4;
            long[] b = new long[c.boxes().length * w];
            for (int i = 0; i < c.boxes().length; i++) {
                for (int j = 0; j < w; j++) {
                    b[i * w + j] = c.boxes()[i][j];
                }
            }
            m.put("boxes", NpyArray.ofInt64(b, c.boxes().length, w));
        }
        for (Map.Entry<String, NpyArray> e : extra.entrySet()) {
            if (m.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException(c.name() + ": extra array '" + e.getKey() + "' is a case key");
            }
        }
        Path file = dir.resolve(c.name() + ".npz");
        Npz.write(file, m, true);
        return file;
    }

    /**
     * Writes a prediction file {@code segs} (compressed, {@code [H, W]} or {@code [D, H, W]}) as the
     * challenge expects it: uint8 when the largest label is at most 255, else uint16; numpy reads it
     * with {@code np.load(f)["segs"]}.
     */
    public static void writeSegs(Path file, LabelArray segs, int... shape) throws IOException {
        Npz.write(file, Map.of("segs", segs.toNpy(shape)), true);
    }

    /** {@link #writeSegs(Path, LabelArray, int...)} for labels held in bytes. */
    public static void writeSegs(Path file, byte[] segs, int... shape) throws IOException {
        writeSegs(file, LabelArray.ofUint8(segs), shape);
    }
}
