package org.umedsam.viz;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.umedsam.io.AtomicFiles;

/**
 * Writes figures to disk, always atomically (into a temporary file in the target folder, then
 * renamed), so a notebook interrupted mid-write never leaves a truncated PNG in {@code figures/};
 * the files get ordinary permissions {@code rw-r--r--} (the temporary file's are {@code rw-------}).
 *
 * <p>Charts go to PNG (at screen resolution, or at a chosen dpi through XChart's
 * {@code saveBitmapWithDPI}, which scales the drawing and writes the pHYs density) and to SVG
 * ({@code VectorGraphicsEncoder}). Plain images ({@link BufferedImage}, e.g. {@link Overlay}
 * panels) go to PNG only: they are pixels already.
 */
public final class FigureWriter {
    /** Resolution for print figures. */
    public static final int PRINT_DPI = 300;

    private final int dpi;
    private final boolean svg;

    /**
     * @param dpi PNG resolution; 72 writes the chart at its pixel size, anything larger scales it
     * @param svg whether {@link #write(Chart, Path, String)} also writes an SVG
     */
    public FigureWriter(int dpi, boolean svg) {
        if (dpi < 36 || dpi > 1200) {
            throw new IllegalArgumentException("dpi must be in [36, 1200], got " + dpi);
        }
        this.dpi = dpi;
        this.svg = svg;
    }

    /** Screen PNG plus SVG. */
    public static FigureWriter defaults() {
        return new FigureWriter(72, true);
    }

    /** 300-dpi PNG plus SVG. */
    public static FigureWriter print() {
        return new FigureWriter(PRINT_DPI, true);
    }

    public int dpi() {
        return dpi;
    }

    /**
     * Writes {@code dir/name.png} (and {@code dir/name.svg} when this writer writes SVG),
     * creating {@code dir}.
     *
     * @return the files written, PNG first
     */
    public List<Path> write(Chart<?, ?> chart, Path dir, String name) throws IOException {
        checkName(name);
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        out.add(writePng(chart, dir.resolve(name + ".png")));
        if (svg) {
            out.add(writeSvg(chart, dir.resolve(name + ".svg")));
        }
        return out;
    }

    /** Writes {@code dir/name.png} from an image. */
    public Path write(BufferedImage image, Path dir, String name) throws IOException {
        checkName(name);
        Files.createDirectories(dir);
        return writePng(image, dir.resolve(name + ".png"));
    }

    /** Writes one chart as PNG at this writer's dpi. */
    public Path writePng(Chart<?, ?> chart, Path file) throws IOException {
        requireSuffix(file, ".png");
        return atomically(file, ".png", tmp -> {
            if (dpi == 72) {
                try (OutputStream os = Files.newOutputStream(tmp)) {
                    BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG);
                }
            } else {
                BitmapEncoder.saveBitmapWithDPI(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG, dpi);
            }
        });
    }

    /** Writes one chart as SVG. */
    public Path writeSvg(Chart<?, ?> chart, Path file) throws IOException {
        requireSuffix(file, ".svg");
        return atomically(file, ".svg", tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, os, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            }
        });
    }

    /** Writes an image as PNG. */
    public Path writePng(BufferedImage image, Path file) throws IOException {
        requireSuffix(file, ".png");
        return atomically(file, ".png", tmp -> {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException(file + ": no PNG writer for image type " + image.getType());
            }
        });
    }

    /**
     * Writes {@code file} through {@link AtomicFiles}, refusing an empty result; the temporary's name keeps
     * {@code suffix}, as XChart appends ".png" to names that lack it.
     */
    private static Path atomically(Path file, String suffix, AtomicFiles.Content content) throws IOException {
        AtomicFiles.write(file, ".tmp" + suffix, tmp -> {
            content.writeTo(tmp);
            if (Files.size(tmp) == 0) {
                throw new IOException(file + ": encoder wrote an empty file");
            }
        });
        return file;
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("figure name must be a plain file stem (no '/', '\\', no leading '.'), got '" + name + "'");
        }
    }

    private static void requireSuffix(Path file, String suffix) {
        if (!file.getFileName().toString().endsWith(suffix)) {
            throw new IllegalArgumentException(file + ": expected a file name ending in " + suffix);
        }
    }
}
