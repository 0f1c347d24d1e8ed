package org.umedsam.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.umedsam.io.AtomicFiles;
import tech.tablesaw.api.Table;

/**
 * A 2D slice of the loss around trained weights: {@code loss(theta + alpha * d1 + beta * d2)}
 * for two normalised directions (Li et al. 2018). Stored as long CSV with columns
 * {@code alpha,beta,loss}.
 *
 * @param label what the surface is
 * @param alphas grid along d1, ascending
 * @param betas grid along d2, ascending
 * @param losses {@code [betas.length][alphas.length]}: row j is beta j
 */
public record LandscapeSurface(String label, double[] alphas, double[] betas, double[][] losses) {
    public LandscapeSurface {
        Objects.requireNonNull(label, "label");
        if (alphas.length < 2 || betas.length < 2) {
            throw new IllegalArgumentException("need at least a 2 x 2 grid, got " + alphas.length + " x " + betas.length);
        }
        if (losses.length != betas.length) {
            throw new IllegalArgumentException("losses has " + losses.length + " rows, expected " + betas.length);
        }
        double[][] copy = new double[losses.length][];
        for (int j = 0; j < losses.length; j++) {
            if (losses[j].length != alphas.length) {
                throw new IllegalArgumentException("losses row " + j + " has " + losses[j].length + " values, expected "
                        + alphas.length);
            }
            copy[j] = losses[j].clone();
        }
        alphas = alphas.clone();
        betas = betas.clone();
        losses = copy;
    }

    /**
     * The slice along the first direction: the row at beta = 0, as a line with this surface's label.
     *
     * @throws IllegalStateException when 0 is not a grid value of beta (an even grid)
     */
    public LandscapeLine rowAtBetaZero() {
        for (int j = 0; j < betas.length; j++) {
            if (betas[j] == 0) {
                return new LandscapeLine(label, alphas, losses[j]);
            }
        }
        throw new IllegalStateException(label + ": beta = 0 is not on the grid " + Arrays.toString(betas));
    }

    /** The finite loss values, all rows. */
    public double[] finiteValues() {
        return Arrays.stream(losses).flatMapToDouble(Arrays::stream).filter(Double::isFinite).toArray();
    }

    public String csv() {
        StringBuilder sb = new StringBuilder("alpha,beta,loss\n");
        for (int j = 0; j < betas.length; j++) {
            for (int i = 0; i < alphas.length; i++) {
                sb.append(String.format(Locale.ROOT, "%s,%s,%s%n", alphas[i], betas[j], losses[j][i]));
            }
        }
        return sb.toString();
    }

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, csv());
    }

    /**
     * Reads the long CSV back into a grid.
     *
     * @throws IOException naming the file when the points do not form a full grid
     */
    public static LandscapeSurface read(Path file, String label) throws IOException {
        Table t = Tables.readCsv(file);
        double[] a = Tables.doubles(t, "alpha");
        double[] b = Tables.doubles(t, "beta");
        double[] l = Tables.doubles(t, "loss");
        double[] alphas = Arrays.stream(a).distinct().sorted().toArray();
        double[] betas = Arrays.stream(b).distinct().sorted().toArray();
        if (alphas.length * betas.length != l.length) {
            throw new IOException(file + ": " + l.length + " points do not form a " + alphas.length + " x "
                    + betas.length + " grid");
        }
        double[][] grid = new double[betas.length][alphas.length];
        for (double[] row : grid) {
            Arrays.fill(row, Double.NaN);
        }
        for (int k = 0; k < l.length; k++) {
            grid[Arrays.binarySearch(betas, b[k])][Arrays.binarySearch(alphas, a[k])] = l[k];
        }
        return new LandscapeSurface(label, alphas, betas, grid);
    }
}
