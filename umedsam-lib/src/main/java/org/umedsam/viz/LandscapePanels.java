package org.umedsam.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.umedsam.report.LandscapeSurface;

/**
 * 2D loss landscapes side by side on one scale: filled contour bands and contour lines at the same
 * absolute levels in every panel ({@link Contours#sharedLevels}), one colour bar for all, the
 * trained weights marked at (0, 0). Rows and columns are given by the caller (e.g. a column per
 * configuration, a row per seed and direction pair).
 *
 * <p>Every panel is a square plot of {@value #PLOT} x {@value #PLOT} px (H x W), alpha along x,
 * beta along y (up), with ticks at a 1-2-5 step and labels without trailing digits.
 */
public final class LandscapePanels {
    /** Side of one panel's plot area, px. */
    static final int PLOT = 280;
    private static final int LEFT = 70;
    private static final int BOTTOM = 52;
    private static final int PANEL_TOP = 28;
    private static final int GAP = 18;
    private static final int ROW_LABEL = 26;
    private static final int BAR_WIDTH = 22;
    private static final int BAR_AREA = 150;
    private static final Font TITLE = new Font("DejaVu Sans", Font.BOLD, 16);
    private static final Font LABEL = new Font("DejaVu Sans", Font.PLAIN, 13);
    private static final Font TICK = new Font("DejaVu Sans", Font.PLAIN, 12);
    private static final DecimalFormat AXIS = new DecimalFormat("0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));

    private LandscapePanels() {
    }

    /**
     * The levels these panels would use: {@code n} shared levels of all non-null cells.
     */
    public static double[] levels(LandscapeSurface[][] cells, int n) {
        List<double[][]> grids = new ArrayList<>();
        for (LandscapeSurface[] row : cells) {
            for (LandscapeSurface s : row) {
                if (s != null) {
                    grids.add(s.losses());
                }
            }
        }
        return Contours.sharedLevels(grids, n);
    }

    /**
     * Renders {@code cells[row][column]} (null: an empty panel) with shared {@code levels}.
     *
     * @param title        figure title
     * @param columnTitles one per column
     * @param rowTitles    one per row (empty strings for none)
     * @param cells        surfaces, {@code [rows][columns]}
     * @param levels       ascending absolute contour levels (from {@link #levels}); at least one
     * @param valueLabel   what the colour bar measures
     */
    public static BufferedImage render(String title, List<String> columnTitles, List<String> rowTitles,
                                       LandscapeSurface[][] cells, double[] levels, String valueLabel) {
        int rows = cells.length;
        if (rows == 0 || rowTitles.size() != rows) {
            throw new IllegalArgumentException("need at least one row and a title per row, got " + rows + " rows and "
                    + rowTitles.size() + " titles");
        }
        int cols = columnTitles.size();
        for (LandscapeSurface[] row : cells) {
            if (row.length != cols) {
                throw new IllegalArgumentException("every row needs " + cols + " cells, got " + row.length);
            }
        }
        if (levels.length == 0) {
            throw new IllegalArgumentException("the surfaces are flat: no contour levels");
        }
        for (int k = 1; k < levels.length; k++) {
            if (!(levels[k] > levels[k - 1])) {
                throw new IllegalArgumentException("levels must be strictly ascending, not at index " + k);
            }
        }
        boolean rowLabels = rowTitles.stream().anyMatch(s -> !s.isBlank());
        int panelW = LEFT + PLOT + GAP;
        int panelH = PANEL_TOP + PLOT + BOTTOM;
        int x0 = rowLabels ? ROW_LABEL + 8 : 8;
        int y0 = 44;
        int width = x0 + cols * panelW + BAR_AREA;
        int height = y0 + rows * panelH + 8;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(TITLE);
            g.drawString(ImageGrid.fit(title, width - 16, g.getFontMetrics()), 8, 26);
            for (int r = 0; r < rows; r++) {
                int py = y0 + r * panelH;
                if (rowLabels) {
                    drawRotated(g, rowTitles.get(r), LABEL, 8 + 14, py + PANEL_TOP + PLOT / 2);
                }
                for (int c = 0; c < cols; c++) {
                    int px = x0 + c * panelW;
                    g.setFont(LABEL);
                    g.setColor(Color.BLACK);
                    FontMetrics fm = g.getFontMetrics();
                    String ct = ImageGrid.fit(columnTitles.get(c), PLOT, fm);
                    g.drawString(ct, px + LEFT + (PLOT - fm.stringWidth(ct)) / 2, py + PANEL_TOP - 8);
                    panel(g, cells[r][c], levels, px + LEFT, py + PANEL_TOP);
                }
            }
            colourBar(g, levels, valueLabel, x0 + cols * panelW + 8, y0 + PANEL_TOP,
                    Math.min(rows * panelH - PANEL_TOP - BOTTOM, Math.max(PLOT, 320)));
        } finally {
            g.dispose();
        }
        return img;
    }

    /** The colour of band {@code b} of {@code bands} (band 0 below the first level). */
    static Color band(int b, int bands) {
        return Palette.sequential(bands == 1 ? 0.5 : (double) b / (bands - 1));
    }

    /** The band of a value: how many levels lie below it. */
    static int bandOf(double v, double[] levels) {
        int i = Arrays.binarySearch(levels, v);
        return i >= 0 ? i : -i - 1;
    }

    private static void panel(Graphics2D g, LandscapeSurface s, double[] levels, int ox, int oy) {
        g.setColor(new Color(0x99, 0x99, 0x99));
        g.drawRect(ox, oy, PLOT, PLOT);
        if (s == null) {
            g.setFont(TICK);
            g.drawString("no landscape", ox + PLOT / 2 - 40, oy + PLOT / 2);
            return;
        }
        double[] a = s.alphas();
        double[] b = s.betas();
        double aLo = a[0];
        double aHi = a[a.length - 1];
        double bLo = b[0];
        double bHi = b[b.length - 1];
        int bands = levels.length + 1;
        for (int y = 0; y < PLOT; y++) {
            double beta = bHi - (y + 0.5) / PLOT * (bHi - bLo);
            for (int x = 0; x < PLOT; x++) {
                double alpha = aLo + (x + 0.5) / PLOT * (aHi - aLo);
                double v = bilinear(a, b, s.losses(), alpha, beta);
                if (Double.isNaN(v)) {
                    continue;
                }
                g.setColor(band(bandOf(v, levels), bands));
                g.fillRect(ox + x, oy + y, 1, 1);
            }
        }
        g.setColor(new Color(0x20, 0x20, 0x20, 170));
        g.setStroke(new BasicStroke(1.1f));
        for (double level : levels) {
            double[][] seg = Contours.segments(a, b, s.losses(), level);
            for (int k = 0; k + 1 < seg[0].length; k += 3) {
                g.draw(new Line2D.Double(ox + (seg[0][k] - aLo) / (aHi - aLo) * PLOT,
                        oy + (bHi - seg[1][k]) / (bHi - bLo) * PLOT,
                        ox + (seg[0][k + 1] - aLo) / (aHi - aLo) * PLOT,
                        oy + (bHi - seg[1][k + 1]) / (bHi - bLo) * PLOT));
            }
        }
        // the trained weights: a white-edged red cross at (0, 0)
        double cx = ox + (0 - aLo) / (aHi - aLo) * PLOT;
        double cy = oy + (bHi - 0) / (bHi - bLo) * PLOT;
        for (Color col : new Color[] {Color.WHITE, new Color(0xD5, 0x00, 0x00)}) {
            g.setColor(col);
            g.setStroke(new BasicStroke(col == Color.WHITE ? 4.5f : 2f));
            g.draw(new Line2D.Double(cx - 6, cy - 6, cx + 6, cy + 6));
            g.draw(new Line2D.Double(cx - 6, cy + 6, cx + 6, cy - 6));
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(new Color(0x99, 0x99, 0x99));
        g.drawRect(ox, oy, PLOT, PLOT);
        axes(g, aLo, aHi, bLo, bHi, ox, oy);
    }

    private static void axes(Graphics2D g, double aLo, double aHi, double bLo, double bHi, int ox, int oy) {
        g.setFont(TICK);
        g.setColor(new Color(0x33, 0x33, 0x33));
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks(aLo, aHi)) {
            int x = (int) Math.round(ox + (t - aLo) / (aHi - aLo) * PLOT);
            g.drawLine(x, oy + PLOT, x, oy + PLOT + 4);
            String s = AXIS.format(t + 0.0);
            g.drawString(s, x - fm.stringWidth(s) / 2, oy + PLOT + 6 + fm.getAscent());
        }
        for (double t : ticks(bLo, bHi)) {
            int y = (int) Math.round(oy + (bHi - t) / (bHi - bLo) * PLOT);
            g.drawLine(ox - 4, y, ox, y);
            String s = AXIS.format(t + 0.0);
            g.drawString(s, ox - 7 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        g.setFont(LABEL);
        g.setColor(Color.BLACK);
        FontMetrics lm = g.getFontMetrics();
        // filter-normalised (Li et al. 2018), not parameter L2 like the sharpness radius rho
        String xl = "direction 1, α (filter-normalised)";
        g.drawString(xl, ox + (PLOT - lm.stringWidth(xl)) / 2, oy + PLOT + 40);
        drawRotated(g, "direction 2, β (filter-normalised)", LABEL, ox - 50, oy + PLOT / 2);
    }

    /** Tick values at a 1-2-5 step, about five over [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double step = ChartStyle.niceStep((hi - lo) / 4);
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * step; t += step) {
            out.add(Math.abs(t) < 1e-9 * step ? 0.0 : t);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void colourBar(Graphics2D g, double[] levels, String label, int x, int y, int h) {
        int bands = levels.length + 1;
        double bh = (double) h / bands;
        for (int b = 0; b < bands; b++) {
            // band 0 (lowest loss) at the bottom
            g.setColor(band(b, bands));
            int top = (int) Math.round(y + h - (b + 1) * bh);
            int bottom = (int) Math.round(y + h - b * bh);
            g.fillRect(x, top, BAR_WIDTH, bottom - top);
        }
        g.setColor(new Color(0x99, 0x99, 0x99));
        g.drawRect(x, y, BAR_WIDTH, h);
        g.setFont(TICK);
        g.setColor(new Color(0x33, 0x33, 0x33));
        FontMetrics fm = g.getFontMetrics();
        int every = Math.max(1, (int) Math.ceil(levels.length / (h / (fm.getHeight() + 2.0))));
        for (int k = 0; k < levels.length; k++) {
            int ty = (int) Math.round(y + h - (k + 1) * bh);
            g.drawLine(x + BAR_WIDTH, ty, x + BAR_WIDTH + 4, ty);
            if (k % every == 0) {
                g.drawString(levelLabel(levels[k]), x + BAR_WIDTH + 7, ty + fm.getAscent() / 2 - 1);
            }
        }
        drawRotated(g, ImageGrid.fit(label, h, fm), LABEL, x + BAR_AREA - 30, y + h / 2);
    }

    /** A level as printed on the colour bar: its significant digits, no trailing zeros. */
    static String levelLabel(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static void drawRotated(Graphics2D g, String s, Font font, int cx, int cy) {
        AffineTransform saved = g.getTransform();
        g.setFont(font);
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        g.rotate(-Math.PI / 2, cx, cy);
        g.drawString(s, cx - fm.stringWidth(s) / 2, cy + fm.getAscent() / 2);
        g.setTransform(saved);
    }

    /** The grid's value at (x, y) by bilinear interpolation; NaN outside or next to a NaN. */
    static double bilinear(double[] xs, double[] ys, double[][] z, double x, double y) {
        int i = cell(xs, x);
        int j = cell(ys, y);
        if (i < 0 || j < 0) {
            return Double.NaN;
        }
        double tx = (x - xs[i]) / (xs[i + 1] - xs[i]);
        double ty = (y - ys[j]) / (ys[j + 1] - ys[j]);
        return z[j][i] * (1 - tx) * (1 - ty) + z[j][i + 1] * tx * (1 - ty) + z[j + 1][i] * (1 - tx) * ty
                + z[j + 1][i + 1] * tx * ty;
    }

    private static int cell(double[] g, double v) {
        if (v < g[0] || v > g[g.length - 1]) {
            return -1;
        }
        for (int i = 0; i + 1 < g.length; i++) {
            if (v <= g[i + 1]) {
                return i;
            }
        }
        return g.length - 2;
    }
}
