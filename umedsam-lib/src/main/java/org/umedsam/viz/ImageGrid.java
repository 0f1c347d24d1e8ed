package org.umedsam.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Lays out image panels in a grid on white, with an optional title, a caption under each panel
 * and an optional legend strip of coloured swatches at the bottom. Text bands are sized from the
 * font metrics; a caption wider than its panel wraps at spaces onto as many lines as it needs (a single
 * word wider than the panel is shortened with an ellipsis), so no text overlaps an image or another
 * caption and none is cut.
 */
public final class ImageGrid {
    /** One panel: an image and the caption printed below it (may be empty). */
    public record Panel(BufferedImage image, String caption) {
        public Panel {
            Objects.requireNonNull(image, "image");
            caption = caption == null ? "" : caption;
        }
    }

    /** One legend entry: a colour swatch and its label. */
    public record LegendEntry(Color color, String label) {
        public LegendEntry {
            Objects.requireNonNull(color, "color");
            Objects.requireNonNull(label, "label");
        }
    }

    private static final int GAP = 10;
    private static final int MARGIN = 14;
    static final Font TITLE_FONT = new Font("DejaVu Sans", Font.BOLD, 16);
    /** Width in pixels at which a title over a narrow grid wraps. */
    private static final int TITLE_WRAP = 900;
    private static final Font CAPTION_FONT = new Font("DejaVu Sans", Font.PLAIN, 13);

    private ImageGrid() {
    }

    /**
     * @param title printed centred on top (null or blank for none)
     * @param panels row-major panels; all cells get the size of the largest panel
     * @param columns number of columns (at least 1)
     * @param legend legend entries printed under the grid (may be empty)
     */
    public static BufferedImage compose(String title, List<Panel> panels, int columns, List<LegendEntry> legend) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no panels to compose");
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be >= 1, got " + columns);
        }
        int cols = Math.min(columns, panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        int cellW = 0;
        int cellH = 0;
        for (Panel p : panels) {
            cellW = Math.max(cellW, p.image().getWidth());
            cellH = Math.max(cellH, p.image().getHeight());
        }
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics capFm = pg.getFontMetrics(CAPTION_FONT);
        FontMetrics titleFm = pg.getFontMetrics(TITLE_FONT);
        pg.dispose();
        List<List<String>> captions = new ArrayList<>();
        int captionLines = 0;
        for (Panel p : panels) {
            List<String> lines = p.caption().isBlank() ? List.of() : wrap(p.caption(), cellW, capFm);
            captions.add(lines);
            captionLines = Math.max(captionLines, lines.size());
        }
        int captionH = captionLines == 0 ? 0 : captionLines * capFm.getHeight() + 6;
        boolean hasTitle = title != null && !title.isBlank();
        int gridW = cols * cellW + (cols - 1) * GAP;
        // a long title (one that says what the panels were picked from) wraps at the grid's width, or at
        // TITLE_WRAP for a narrow grid, which widens to its title rather than cutting it
        List<String> titleLines = hasTitle ? wrap(title, Math.max(gridW, TITLE_WRAP), titleFm) : List.of();
        int titleW = titleLines.stream().mapToInt(titleFm::stringWidth).max().orElse(0);
        int titleH = hasTitle ? titleLines.size() * titleFm.getHeight() + 10 : 0;
        List<List<LegendEntry>> legendRows = legendRows(legend, cols * cellW + (cols - 1) * GAP, capFm);
        int legendH = legendRows.isEmpty() ? 0 : legendRows.size() * (capFm.getHeight() + 6) + 8;

        int width = 2 * MARGIN + Math.max(gridW, titleW);
        int gridX = (width - gridW) / 2;
        int height = 2 * MARGIN + titleH + rows * (cellH + captionH) + (rows - 1) * GAP + legendH;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        if (hasTitle) {
            g.setFont(TITLE_FONT);
            int ty = MARGIN + titleFm.getAscent();
            for (String line : titleLines) {
                g.drawString(line, (width - titleFm.stringWidth(line)) / 2, ty);
                ty += titleFm.getHeight();
            }
        }
        g.setFont(CAPTION_FONT);
        for (int i = 0; i < panels.size(); i++) {
            Panel p = panels.get(i);
            int r = i / cols;
            int c = i % cols;
            int x0 = gridX + c * (cellW + GAP);
            int y0 = MARGIN + titleH + r * (cellH + captionH + GAP);
            int ix = x0 + (cellW - p.image().getWidth()) / 2;
            int iy = y0 + (cellH - p.image().getHeight()) / 2;
            g.drawImage(p.image(), ix, iy, null);
            g.setColor(Color.BLACK);
            int ty = y0 + cellH + 3 + capFm.getAscent();
            for (String line : captions.get(i)) {
                g.drawString(line, x0 + (cellW - capFm.stringWidth(line)) / 2, ty);
                ty += capFm.getHeight();
            }
        }
        int ly = height - MARGIN - legendH + 8;
        for (List<LegendEntry> row : legendRows) {
            int rowW = rowWidth(row, capFm);
            int lx = (width - rowW) / 2;
            for (LegendEntry e : row) {
                int sw = capFm.getAscent();
                g.setColor(e.color());
                g.fillRect(lx, ly + (capFm.getHeight() - sw) / 2, sw, sw);
                g.setColor(Color.BLACK);
                g.drawString(e.label(), lx + sw + 6, ly + capFm.getAscent());
                lx += entryWidth(e, capFm);
            }
            ly += capFm.getHeight() + 6;
        }
        g.dispose();
        return out;
    }

    /**
     * {@code s} broken at spaces into lines of at most {@code width} pixels, greedily; a word wider than
     * {@code width} on its own is shortened with {@link #fit}.
     */
    static List<String> wrap(String s, int width, FontMetrics fm) {
        List<String> lines = new ArrayList<>();
        String line = "";
        for (String word : s.trim().split("\\s+")) {
            String joined = line.isEmpty() ? word : line + " " + word;
            if (fm.stringWidth(joined) <= width) {
                line = joined;
            } else {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
                line = fm.stringWidth(word) <= width ? word : fit(word, width, fm);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line);
        }
        return lines;
    }

    /** Shortens {@code s} with an ellipsis until it fits {@code width} pixels. */
    static String fit(String s, int width, FontMetrics fm) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String cut = s;
        while (!cut.isEmpty() && fm.stringWidth(cut + "…") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }

    private static int entryWidth(LegendEntry e, FontMetrics fm) {
        return fm.getAscent() + 6 + fm.stringWidth(e.label()) + 22;
    }

    private static int rowWidth(List<LegendEntry> row, FontMetrics fm) {
        int w = 0;
        for (LegendEntry e : row) {
            w += entryWidth(e, fm);
        }
        return w - 22;
    }

    private static List<List<LegendEntry>> legendRows(List<LegendEntry> legend, int width, FontMetrics fm) {
        List<List<LegendEntry>> rows = new ArrayList<>();
        List<LegendEntry> row = new ArrayList<>();
        int w = 0;
        for (LegendEntry e : legend) {
            int ew = entryWidth(e, fm);
            if (!row.isEmpty() && w + ew - 22 > width) {
                rows.add(row);
                row = new ArrayList<>();
                w = 0;
            }
            row.add(e);
            w += ew;
        }
        if (!row.isEmpty()) {
            rows.add(row);
        }
        return rows;
    }
}
