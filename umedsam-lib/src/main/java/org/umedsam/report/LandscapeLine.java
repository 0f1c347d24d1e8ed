package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.umedsam.io.AtomicFiles;
import tech.tablesaw.api.Table;

/**
 * A 1D slice of the loss around trained weights: {@code loss(theta + alpha * d)} for a
 * normalised direction d (Li et al. 2018). Stored as CSV with columns {@code alpha,loss}.
 *
 * @param label what the line is (a configuration or run name)
 * @param alphas step sizes along the direction, ascending, containing 0
 * @param losses loss at each step
 */
public record LandscapeLine(String label, double[] alphas, double[] losses) {
    public LandscapeLine {
        Objects.requireNonNull(label, "label");
        if (alphas.length != losses.length || alphas.length < 2) {
            throw new IllegalArgumentException("need >= 2 alphas and as many losses, got " + alphas.length + " and "
                    + losses.length);
        }
        for (int i = 1; i < alphas.length; i++) {
            if (!(alphas[i] > alphas[i - 1])) {
                throw new IllegalArgumentException("alphas must be strictly ascending, not at index " + i);
            }
        }
        alphas = alphas.clone();
        losses = losses.clone();
    }

    /** The loss at alpha = 0 (the trained weights), interpolated if 0 is not a grid point. */
    public double centerLoss() {
        for (int i = 0; i < alphas.length; i++) {
            if (alphas[i] == 0) {
                return losses[i];
            }
        }
        for (int i = 1; i < alphas.length; i++) {
            if (alphas[i - 1] < 0 && alphas[i] > 0) {
                double t = -alphas[i - 1] / (alphas[i] - alphas[i - 1]);
                return losses[i - 1] * (1 - t) + losses[i] * t;
            }
        }
        throw new IllegalStateException(label + ": alpha range does not contain 0");
    }

    public String csv() {
        StringBuilder sb = new StringBuilder("alpha,loss\n");
        for (int i = 0; i < alphas.length; i++) {
            sb.append(String.format(Locale.ROOT, "%s,%s%n", alphas[i], losses[i]));
        }
        return sb.toString();
    }

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, csv());
    }

    public static LandscapeLine read(Path file, String label) throws IOException {
        Table t = Tables.readCsv(file);
        try {
            return new LandscapeLine(label, Tables.doubles(t, "alpha"), Tables.doubles(t, "loss"));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
