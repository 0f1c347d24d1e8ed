package org.umedsam.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * Draws one segmentation example as an image, like the paper's Figures 3 and 4: the image in
 * grey (or colour), the prompt box, the ground-truth outline and the prediction as a translucent
 * fill with its outline.
 *
 * <p>Masks are drawn as outlines (pixels of the mask with a 4-neighbour outside it), so every
 * object of a mask gets its own contour and truth and prediction stay visible where they overlap.
 * Truth and prediction are the colour-blind-safe Okabe-Ito pair sky blue and orange; the box is
 * light grey on a black shadow, so it shows on dark and bright images alike.
 */
public final class Overlay {
    /** Ground truth outline colour (Okabe-Ito sky blue). */
    public static final Color TRUTH = new Color(0x56, 0xB4, 0xE9);
    /** Prediction colour (Okabe-Ito orange). */
    public static final Color PREDICTION = new Color(0xE6, 0x9F, 0x00);
    /** Box prompt colour (light grey, drawn dashed over a black shadow). */
    public static final Color BOX = new Color(0xDD, 0xDD, 0xDD);

    /**
     * One example.
     *
     * @param pixels image, channel-major {@code [C, H, W]} with C = 1 (grey) or 3 (RGB), any range
     *     (scaled from its min..max for display)
     * @param channels C
     * @param height H
     * @param width W
     * @param truth ground truth {@code [H, W]}, or null
     * @param prediction predicted mask {@code [H, W]}, or null
     * @param box prompt box {@code [x0, y0, x1, y1]} in pixels of this image, or null
     * @param truthLabels object label per pixel {@code [H, W]} (0 background), or null: then
     *     touching objects of {@code truth} share one contour
     * @param predictionLabels object label per pixel of the prediction, or null
     */
    public record Example(float[] pixels, int channels, int height, int width, boolean[] truth,
                          boolean[] prediction, double[] box, byte[] truthLabels, byte[] predictionLabels) {
        /** An example without object labels. */
        public Example(float[] pixels, int channels, int height, int width, boolean[] truth, boolean[] prediction,
                       double[] box) {
            this(pixels, channels, height, width, truth, prediction, box, null, null);
        }

        public Example {
            Objects.requireNonNull(pixels, "pixels");
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            }
            if (height < 1 || width < 1 || pixels.length != channels * height * width) {
                throw new IllegalArgumentException("pixels has " + pixels.length + " values, expected [" + channels
                        + ", " + height + ", " + width + "]");
            }
            if (truth != null && truth.length != height * width) {
                throw new IllegalArgumentException("truth has " + truth.length + " values, expected " + height * width);
            }
            if (prediction != null && prediction.length != height * width) {
                throw new IllegalArgumentException("prediction has " + prediction.length + " values, expected " + height * width);
            }
            if (truthLabels != null && (truth == null || truthLabels.length != height * width)) {
                throw new IllegalArgumentException("truthLabels need truth and " + height * width + " values");
            }
            if (predictionLabels != null && (prediction == null || predictionLabels.length != height * width)) {
                throw new IllegalArgumentException("predictionLabels need prediction and " + height * width + " values");
            }
            if (box != null && box.length != 4) {
                throw new IllegalArgumentException("box must be [x0, y0, x1, y1], got " + box.length + " values");
            }
        }
    }

    private Overlay() {
    }

    /** The legend entries matching what {@link #render} draws. */
    public static List<ImageGrid.LegendEntry> legend() {
        return List.of(new ImageGrid.LegendEntry(BOX, "box prompt"),
                new ImageGrid.LegendEntry(TRUTH, "ground truth"),
                new ImageGrid.LegendEntry(PREDICTION, "prediction"));
    }

    /**
     * Renders an example scaled (nearest neighbour, aspect kept) so its longer side is
     * {@code size} pixels.
     */
    public static BufferedImage render(Example e, int size) {
        if (size < 8) {
            throw new IllegalArgumentException("size must be >= 8, got " + size);
        }
        int h = e.height();
        int w = e.width();
        double scale = (double) size / Math.max(h, w);
        int outW = Math.max(1, (int) Math.round(w * scale));
        int outH = Math.max(1, (int) Math.round(h * scale));
        BufferedImage base = toRgb(e);
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(base, 0, 0, outW, outH, null);
        g.dispose();
        if (e.prediction() != null) {
            fill(out, e.prediction(), w, h, Palette.withAlpha(PREDICTION, 70));
            outline(out, e.prediction(), e.predictionLabels(), w, h, PREDICTION);
        }
        if (e.truth() != null) {
            outline(out, e.truth(), e.truthLabels(), w, h, TRUTH);
        }
        if (e.box() != null) {
            Graphics2D gb = out.createGraphics();
            gb.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            float width = Math.max(1.5f, size / 200f);
            double[] b = e.box();
            int x0 = (int) Math.round(b[0] * scale);
            int y0 = (int) Math.round(b[1] * scale);
            int x1 = (int) Math.round(b[2] * scale);
            int y1 = (int) Math.round(b[3] * scale);
            gb.setColor(Color.BLACK);
            gb.setStroke(new BasicStroke(width + 2));
            gb.drawRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
            gb.setColor(BOX);
            gb.setStroke(new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {4 * width, 3 * width}, 0f));
            gb.drawRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
            gb.dispose();
        }
        return out;
    }

    /** The image alone as RGB, intensities scaled from their min..max to 0..255. */
    static BufferedImage toRgb(Example e) {
        int h = e.height();
        int w = e.width();
        float[] p = e.pixels();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : p) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        float range = hi > lo ? hi - lo : 1f;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = grey(p[i], lo, range);
                int gg = e.channels() == 3 ? grey(p[plane + i], lo, range) : r;
                int b = e.channels() == 3 ? grey(p[2 * plane + i], lo, range) : r;
                img.setRGB(x, y, (r << 16) | (gg << 8) | b);
            }
        }
        return img;
    }

    private static int grey(float v, float lo, float range) {
        if (!Float.isFinite(v)) {
            return 0;
        }
        return Math.max(0, Math.min(255, Math.round((v - lo) / range * 255f)));
    }

    private static void fill(BufferedImage out, boolean[] mask, int w, int h, Color c) {
        double sx = (double) w / out.getWidth();
        double sy = (double) h / out.getHeight();
        double a = c.getAlpha() / 255.0;
        for (int y = 0; y < out.getHeight(); y++) {
            int my = Math.min(h - 1, (int) (y * sy));
            for (int x = 0; x < out.getWidth(); x++) {
                int mx = Math.min(w - 1, (int) (x * sx));
                if (mask[my * w + mx]) {
                    int rgb = out.getRGB(x, y);
                    int r = (int) Math.round(((rgb >> 16) & 255) * (1 - a) + c.getRed() * a);
                    int g = (int) Math.round(((rgb >> 8) & 255) * (1 - a) + c.getGreen() * a);
                    int b = (int) Math.round((rgb & 255) * (1 - a) + c.getBlue() * a);
                    out.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
        }
    }

    /**
     * Outline in output pixels: an inside output pixel whose 4-neighbour (in output space) is
     * outside or, with labels, belongs to another object, so every object has its own contour.
     */
    private static void outline(BufferedImage out, boolean[] mask, byte[] labels, int w, int h, Color c) {
        int ow = out.getWidth();
        int oh = out.getHeight();
        int[] up = new int[ow * oh]; // 0 outside, else the object's label (1 without labels)
        double sx = (double) w / ow;
        double sy = (double) h / oh;
        for (int y = 0; y < oh; y++) {
            int my = Math.min(h - 1, (int) (y * sy));
            for (int x = 0; x < ow; x++) {
                int i = my * w + Math.min(w - 1, (int) (x * sx));
                up[y * ow + x] = !mask[i] ? 0 : labels == null ? 1 : Math.max(1, labels[i] & 0xFF);
            }
        }
        int thick = Math.max(2, Math.min(ow, oh) / 130);
        int rgb = c.getRGB() & 0xFFFFFF;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int l = up[y * ow + x];
                if (l == 0) {
                    continue;
                }
                boolean edge = false;
                for (int d = 1; d <= thick && !edge; d++) {
                    edge = x - d < 0 || x + d >= ow || y - d < 0 || y + d >= oh
                            || up[y * ow + x - d] != l || up[y * ow + x + d] != l
                            || up[(y - d) * ow + x] != l || up[(y + d) * ow + x] != l;
                }
                if (edge) {
                    out.setRGB(x, y, rgb);
                }
            }
        }
    }
}
