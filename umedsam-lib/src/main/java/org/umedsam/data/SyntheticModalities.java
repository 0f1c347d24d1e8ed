package org.umedsam.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic synthetic cases for the modalities that have no real data here, each with exact
 * masks (labels are drawn from the same geometry the image is painted from) and a rough version
 * of its modality's look. Names say synthetic ({@code 2D_synthetic_US_0001},
 * {@code 3D_synthetic_CT_0001}) and {@link Case#synthetic()} is true, so tables can mark them.
 * They exercise the pipeline and give the model something learnable; they are not medical data.
 *
 * <table>
 *   <caption>What each modality looks like</caption>
 *   <tr><th>modality</th><th>size</th><th>look</th><th>labels</th></tr>
 *   <tr><td>CT</td><td>3D 16x128x128, grey</td><td>body ellipse, fat rim, bright spine, Gaussian noise</td><td>1 liver, 2/3 kidneys</td></tr>
 *   <tr><td>PET</td><td>3D 12x96x96, grey</td><td>faint body, hot blurred spheres, Poisson-like noise</td><td>1..3 lesions</td></tr>
 *   <tr><td>US</td><td>2D 192x224, grey</td><td>sector fan, multiplicative (Rayleigh) speckle, dark cysts</td><td>1..2 hypoechoic objects</td></tr>
 *   <tr><td>XRay</td><td>2D 224x224, grey</td><td>bright body, dark lungs, rib bands, Gaussian noise</td><td>1/2 lungs, 3 heart</td></tr>
 *   <tr><td>Dermoscopy</td><td>2D 192x256, colour</td><td>skin tone, irregular brown lesion, hairs, vignette</td><td>1 lesion</td></tr>
 *   <tr><td>Endoscopy</td><td>2D 200x240, colour</td><td>pink folds, vignetting, specular spots</td><td>1 polyp</td></tr>
 *   <tr><td>Fundus</td><td>2D 224x224, colour</td><td>orange field in black, vessels, macula</td><td>1 optic disc rim, 2 cup</td></tr>
 *   <tr><td>Microscopy</td><td>2D 160x160, colour</td><td>pale background, many purple nuclei</td><td>one label per nucleus (6..14)</td></tr>
 * </table>
 * Case {@code k} of modality {@code m} depends only on {@code (m, k)}.
 */
public final class SyntheticModalities {
    /** The synthetic modalities, in generation order. */
    public static final List<String> MODALITIES = List.of("CT", "PET", "US", "XRay", "Dermoscopy", "Endoscopy",
            "Fundus", "Microscopy");

    private SyntheticModalities() {
    }

    /** Cases {@code 1..perModality} of every synthetic modality. */
    public static List<Case> generateAll(int perModality) {
        List<Case> out = new ArrayList<>();
        for (String m : MODALITIES) {
            for (int k = 1; k <= perModality; k++) {
                out.add(generate(m, k));
            }
        }
        return out;
    }

    /** Case number {@code index} (1-based) of a modality. */
    public static Case generate(String modality, int index) {
        Random r = new Random(1_000_003L * (MODALITIES.indexOf(modality) + 1) + index);
        return switch (modality) {
            case "CT" -> ct(r, index);
            case "PET" -> pet(r, index);
            case "US" -> us(r, index);
            case "XRay" -> xray(r, index);
            case "Dermoscopy" -> dermoscopy(r, index);
            case "Endoscopy" -> endoscopy(r, index);
            case "Fundus" -> fundus(r, index);
            case "Microscopy" -> microscopy(r, index);
            default -> throw new IllegalArgumentException("no synthetic generator for modality '" + modality
                    + "' (have " + MODALITIES + ")");
        };
    }

    // ---------------------------------------------------------------- geometry helpers

    /** Irregular blob: radius factor {@code 1 + sum a_k cos(k t + p_k)}, k = 2, 3, 5. */
    private record Blob(double cy, double cx, double ry, double rx, double angle, double[] amp, double[] phase) {
        static Blob random(Random r, double cy, double cx, double ry, double rx, double wobble) {
            double[] a = {wobble * r.nextDouble(), wobble * 0.6 * r.nextDouble(), wobble * 0.3 * r.nextDouble()};
            double[] p = {r.nextDouble() * 6.283, r.nextDouble() * 6.283, r.nextDouble() * 6.283};
            return new Blob(cy, cx, ry, rx, r.nextDouble() * Math.PI, a, p);
        }

        /** Normalised radius of pixel centre (y, x): &lt; 1 inside. */
        double rho(double y, double x) {
            double dy = y - cy;
            double dx = x - cx;
            double c = Math.cos(angle);
            double s = Math.sin(angle);
            double u = (dx * c + dy * s) / rx;
            double v = (-dx * s + dy * c) / ry;
            double t = Math.atan2(v, u);
            double f = 1 + amp[0] * Math.cos(2 * t + phase[0]) + amp[1] * Math.cos(3 * t + phase[1])
                    + amp[2] * Math.cos(5 * t + phase[2]);
            return Math.sqrt(u * u + v * v) / f;
        }

        boolean inside(double y, double x) {
            return rho(y, x) < 1;
        }
    }

    /** A 2D canvas: float channels (0..255) and labels. */
    private static final class Canvas {
        final int h;
        final int w;
        final int c;
        final float[] px;
        final byte[] labels;

        Canvas(int h, int w, int c) {
            this.h = h;
            this.w = w;
            this.c = c;
            this.px = new float[h * w * c];
            this.labels = new byte[h * w];
        }

        void fill(float... rgb) {
            for (int i = 0; i < h * w; i++) {
                for (int k = 0; k < c; k++) {
                    px[i * c + k] = rgb[k];
                }
            }
        }

        /** Paints a blob with a colour (and label, if &gt; 0); soft edge over about a pixel. */
        void blob(Blob b, int label, float... rgb) {
            int y0 = (int) Math.max(0, b.cy - 2 * Math.max(b.ry, b.rx));
            int y1 = (int) Math.min(h - 1, b.cy + 2 * Math.max(b.ry, b.rx));
            int x0 = (int) Math.max(0, b.cx - 2 * Math.max(b.ry, b.rx));
            int x1 = (int) Math.min(w - 1, b.cx + 2 * Math.max(b.ry, b.rx));
            double scale = Math.min(b.ry, b.rx);
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    double rho = b.rho(y + 0.5, x + 0.5);
                    // alpha 1 inside, fading over ~1 pixel outside; the label follows rho < 1 exactly
                    double alpha = rho < 1 ? 1 : Math.max(0, 1 - (rho - 1) * scale);
                    if (alpha <= 0) {
                        continue;
                    }
                    int i = y * w + x;
                    for (int k = 0; k < c; k++) {
                        px[i * c + k] = (float) (px[i * c + k] * (1 - alpha) + rgb[k] * alpha);
                    }
                    if (label > 0 && rho < 1) {
                        labels[i] = (byte) label;
                    }
                }
            }
        }

        void gaussianNoise(Random r, double sigma) {
            for (int i = 0; i < px.length; i++) {
                px[i] += (float) (r.nextGaussian() * sigma);
            }
        }

        /** Separable box blur: a horizontal pass, then a vertical one, each averaging the in-bounds neighbours. */
        void boxBlur(int radius) {
            float[] tmp = new float[px.length];
            blurPass(px, tmp, radius, false);
            blurPass(tmp, px, radius, true);
        }

        /** One pass of {@link #boxBlur}: {@code dst} is {@code src} averaged along x (or y when {@code vertical}). */
        private void blurPass(float[] src, float[] dst, int radius, boolean vertical) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        float s = 0;
                        int n = 0;
                        for (int d = -radius; d <= radius; d++) {
                            int xx = vertical ? x : x + d;
                            int yy = vertical ? y + d : y;
                            if (xx >= 0 && xx < w && yy >= 0 && yy < h) {
                                s += src[(yy * w + xx) * c + k];
                                n++;
                            }
                        }
                        dst[(y * w + x) * c + k] = s / n;
                    }
                }
            }
        }

        /** Multiplies every channel by a radial fall-off (1 at the centre). */
        void vignette(double strength) {
            double cy = h / 2.0;
            double cx = w / 2.0;
            double rmax = Math.hypot(cy, cx);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double f = 1 - strength * Math.pow(Math.hypot(y + 0.5 - cy, x + 0.5 - cx) / rmax, 2);
                    for (int k = 0; k < c; k++) {
                        px[(y * w + x) * c + k] *= (float) f;
                    }
                }
            }
        }

        /** A thin dark curve (hair, vessel): a random walk of small discs. */
        void curve(Random r, double y, double x, double heading, int steps, double width, float... rgb) {
            for (int s = 0; s < steps; s++) {
                heading += r.nextGaussian() * 0.12;
                y += Math.sin(heading);
                x += Math.cos(heading);
                int rad = (int) Math.ceil(width);
                for (int dy = -rad; dy <= rad; dy++) {
                    for (int dx = -rad; dx <= rad; dx++) {
                        int yy = (int) y + dy;
                        int xx = (int) x + dx;
                        if (yy < 0 || yy >= h || xx < 0 || xx >= w || dy * dy + dx * dx > width * width) {
                            continue;
                        }
                        for (int k = 0; k < c; k++) {
                            px[(yy * w + xx) * c + k] = px[(yy * w + xx) * c + k] * 0.4f + rgb[k] * 0.6f;
                        }
                    }
                }
            }
        }

        /** The image as HWC uint8, 3 channels (grey repeated). */
        byte[] rgbBytes() {
            byte[] out = new byte[h * w * 3];
            for (int i = 0; i < h * w; i++) {
                for (int k = 0; k < 3; k++) {
                    float v = px[i * c + (c == 1 ? 0 : k)];
                    out[i * 3 + k] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
            return out;
        }

        Case toCase(String modality, int index) {
            return new Case(String.format("2D_synthetic_%s_%04d", modality, index), modality, false, true,
                    new int[] {h, w, 3}, rgbBytes(), labels, null, null);
        }
    }

    private static double uniform(Random r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    // ---------------------------------------------------------------- 2D modalities

    private static Case us(Random r, int index) {
        Canvas cv = new Canvas(192, 224, 1);
        double ay = -10;
        double ax = 112;
        double half = Math.toRadians(40);
        int objects = 1 + r.nextInt(2);
        List<Blob> blobs = new ArrayList<>();
        for (int k = 0; k < objects; k++) {
            double rad = uniform(r, 14, 26);
            double depth = uniform(r, 60, 150);
            double ang = uniform(r, -0.45, 0.45);
            blobs.add(Blob.random(r, ay + depth * Math.cos(ang), ax + depth * Math.sin(ang), rad, rad * uniform(r, 0.8, 1.5), 0.12));
        }
        for (int y = 0; y < cv.h; y++) {
            for (int x = 0; x < cv.w; x++) {
                double dist = Math.hypot(y + 0.5 - ay, x + 0.5 - ax);
                double ang = Math.atan2(x + 0.5 - ax, y + 0.5 - ay);
                boolean inFan = Math.abs(ang) < half && dist > 20 && dist < 200;
                cv.px[y * cv.w + x] = inFan ? (float) (95 - 0.15 * dist + 12 * Math.sin(y * 0.07 + x * 0.02)) : 0;
            }
        }
        for (int k = 0; k < blobs.size(); k++) {
            cv.blob(blobs.get(k), k + 1, 28f);
        }
        // multiplicative speckle (Rayleigh, mean 1) inside the fan, then slight axial smoothing
        for (int i = 0; i < cv.px.length; i++) {
            if (cv.px[i] > 0) {
                double u = Math.max(1e-12, r.nextDouble());
                cv.px[i] *= (float) (Math.sqrt(-2 * Math.log(u)) / 1.2533);
            }
        }
        cv.boxBlur(1);
        return cv.toCase("US", index);
    }

    private static Case xray(Random r, int index) {
        Canvas cv = new Canvas(224, 224, 1);
        for (int y = 0; y < cv.h; y++) {
            for (int x = 0; x < cv.w; x++) {
                cv.px[y * cv.w + x] = (float) (150 + 40.0 * y / cv.h);
            }
        }
        double lungRy = uniform(r, 62, 75);
        double lungRx = uniform(r, 34, 42);
        double cy = uniform(r, 100, 115);
        cv.blob(Blob.random(r, cy, 112 - uniform(r, 44, 52), lungRy, lungRx, 0.06), 1, 55f);
        cv.blob(Blob.random(r, cy, 112 + uniform(r, 44, 52), lungRy, lungRx, 0.06), 2, 55f);
        cv.blob(Blob.random(r, cy + uniform(r, 25, 40), 112 + uniform(r, 0, 12), uniform(r, 30, 38), uniform(r, 34, 42), 0.05), 3, 200f);
        // ribs: bright bands over the lungs
        for (int y = 0; y < cv.h; y++) {
            double band = Math.max(0, Math.sin(y * 0.26 + index)) * 25;
            for (int x = 0; x < cv.w; x++) {
                int l = cv.labels[y * cv.w + x];
                if (l == 1 || l == 2) {
                    cv.px[y * cv.w + x] += (float) band;
                }
            }
        }
        cv.boxBlur(1);
        cv.gaussianNoise(r, 6);
        return cv.toCase("XRay", index);
    }

    private static Case dermoscopy(Random r, int index) {
        Canvas cv = new Canvas(192, 256, 3);
        float sr = (float) uniform(r, 200, 235);
        cv.fill(sr, sr * 0.78f, sr * 0.68f);
        Blob lesion = Blob.random(r, uniform(r, 80, 112), uniform(r, 100, 156), uniform(r, 35, 60), uniform(r, 40, 70), 0.18);
        cv.blob(lesion, 1, 120f, 72f, 52f);
        cv.blob(new Blob(lesion.cy, lesion.cx, lesion.ry * 0.5, lesion.rx * 0.5, lesion.angle, lesion.amp, lesion.phase), 0, 80f, 45f, 35f);
        for (int k = 0; k < 4 + r.nextInt(5); k++) {
            cv.curve(r, uniform(r, 0, 192), uniform(r, 0, 256), uniform(r, 0, 6.28), 120, 0.8, 40f, 30f, 25f);
        }
        cv.boxBlur(1);
        cv.vignette(0.5);
        cv.gaussianNoise(r, 4);
        return cv.toCase("Dermoscopy", index);
    }

    private static Case endoscopy(Random r, int index) {
        Canvas cv = new Canvas(200, 240, 3);
        double phase = uniform(r, 0, 6.28);
        for (int y = 0; y < cv.h; y++) {
            for (int x = 0; x < cv.w; x++) {
                double fold = 18 * Math.sin(Math.hypot(y - 100, x - 120) * 0.09 + phase);
                int i = (y * cv.w + x) * 3;
                cv.px[i] = (float) (195 + fold);
                cv.px[i + 1] = (float) (95 + fold * 0.6);
                cv.px[i + 2] = (float) (85 + fold * 0.5);
            }
        }
        Blob polyp = Blob.random(r, uniform(r, 60, 140), uniform(r, 70, 170), uniform(r, 22, 40), uniform(r, 22, 40), 0.08);
        cv.blob(polyp, 1, 225f, 140f, 120f);
        cv.blob(new Blob(polyp.cy - polyp.ry * 0.3, polyp.cx - polyp.rx * 0.3, polyp.ry * 0.4, polyp.rx * 0.4, 0, new double[3], new double[3]), 0, 240f, 170f, 150f);
        for (int k = 0; k < 3 + r.nextInt(4); k++) {
            double s = uniform(r, 1.5, 3.5);
            cv.blob(new Blob(uniform(r, 10, 190), uniform(r, 10, 230), s, s, 0, new double[3], new double[3]), 0, 255f, 255f, 250f);
        }
        cv.boxBlur(1);
        cv.vignette(0.9);
        cv.gaussianNoise(r, 5);
        return cv.toCase("Endoscopy", index);
    }

    private static Case fundus(Random r, int index) {
        Canvas cv = new Canvas(224, 224, 3);
        cv.fill(0f, 0f, 0f);
        double fr = 104;
        for (int y = 0; y < cv.h; y++) {
            for (int x = 0; x < cv.w; x++) {
                double d = Math.hypot(y + 0.5 - 112, x + 0.5 - 112);
                if (d < fr) {
                    double f = 1 - 0.45 * (d / fr) * (d / fr);
                    int i = (y * cv.w + x) * 3;
                    cv.px[i] = (float) (205 * f);
                    cv.px[i + 1] = (float) (85 * f);
                    cv.px[i + 2] = (float) (35 * f);
                }
            }
        }
        double side = r.nextBoolean() ? -1 : 1;
        double dy = 112 + uniform(r, -15, 15);
        double dx = 112 + side * uniform(r, 35, 50);
        double discR = uniform(r, 15, 21);
        // macula: darker spot on the other side
        cv.blob(new Blob(112, 112 - side * 25, 14, 14, 0, new double[3], new double[3]), 0, 120f, 45f, 20f);
        for (int k = 0; k < 6; k++) {
            cv.curve(r, dy, dx, k * Math.PI / 3 + uniform(r, -0.3, 0.3), 90, 1.3, 130f, 25f, 15f);
        }
        cv.blob(Blob.random(r, dy, dx, discR, discR * uniform(r, 0.85, 1.0), 0.05), 1, 245f, 205f, 130f);
        double cupR = discR * uniform(r, 0.35, 0.6);
        cv.blob(Blob.random(r, dy, dx, cupR, cupR, 0.05), 2, 255f, 240f, 200f);
        // black outside the circular field (vessels may have been drawn past it)
        for (int i = 0; i < cv.h * cv.w; i++) {
            double d = Math.hypot(i / cv.w + 0.5 - 112, i % cv.w + 0.5 - 112);
            if (d >= fr) {
                for (int k = 0; k < 3; k++) {
                    cv.px[i * 3 + k] = 0;
                }
            }
        }
        cv.gaussianNoise(r, 3);
        return cv.toCase("Fundus", index);
    }

    private static Case microscopy(Random r, int index) {
        Canvas cv = new Canvas(160, 160, 3);
        cv.fill(235f, 218f, 232f);
        int n = 6 + r.nextInt(9);
        List<double[]> placed = new ArrayList<>();
        int label = 0;
        for (int tries = 0; tries < 400 && label < n; tries++) {
            double rad = uniform(r, 6, 11);
            double y = uniform(r, rad + 2, 158 - rad);
            double x = uniform(r, rad + 2, 158 - rad);
            boolean free = true;
            for (double[] p : placed) {
                if (Math.hypot(p[0] - y, p[1] - x) < p[2] + rad + 3) {
                    free = false;
                    break;
                }
            }
            if (!free) {
                continue;
            }
            placed.add(new double[] {y, x, rad});
            label++;
            float shade = (float) uniform(r, -20, 20);
            cv.blob(Blob.random(r, y, x, rad, rad * uniform(r, 0.7, 1.0), 0.08), label, 110f + shade, 60f + shade, 150f + shade);
        }
        cv.gaussianNoise(r, 5);
        return cv.toCase("Microscopy", index);
    }

    // ---------------------------------------------------------------- 3D modalities

    private static double ellipsoid(double z, double y, double x, double[] e) {
        double a = (z - e[0]) / e[3];
        double b = (y - e[1]) / e[4];
        double c = (x - e[2]) / e[5];
        return a * a + b * b + c * c;
    }

    private static Case ct(Random r, int index) {
        int d = 16;
        int h = 128;
        int w = 128;
        byte[] img = new byte[d * h * w];
        byte[] gt = new byte[d * h * w];
        double bodyRy = uniform(r, 44, 52);
        double bodyRx = uniform(r, 56, 62);
        double[] liver = {uniform(r, 6, 9), 60 + uniform(r, -5, 5), 40 + uniform(r, -4, 4), uniform(r, 6, 8), uniform(r, 20, 26), uniform(r, 18, 24)};
        double[] kidL = {uniform(r, 7, 9), 78, 88 + uniform(r, -3, 3), uniform(r, 4, 6), uniform(r, 9, 12), uniform(r, 6, 8)};
        double[] kidR = {uniform(r, 7, 9), 78, 38 + uniform(r, -3, 3), uniform(r, 4, 6), uniform(r, 9, 12), uniform(r, 6, 8)};
        for (int z = 0; z < d; z++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double by = (y + 0.5 - 64) / bodyRy;
                    double bx = (x + 0.5 - 64) / bodyRx;
                    double body = by * by + bx * bx;
                    double v = 0;
                    int label = 0;
                    if (body < 1) {
                        v = body > 0.8 ? 75 : 110;
                        if (Math.hypot(y + 0.5 - 92, x + 0.5 - 64) < 8) {
                            v = 230;
                        }
                        if (ellipsoid(z + 0.5, y + 0.5, x + 0.5, liver) < 1) {
                            v = 135;
                            label = 1;
                        } else if (ellipsoid(z + 0.5, y + 0.5, x + 0.5, kidL) < 1) {
                            v = 160;
                            label = 2;
                        } else if (ellipsoid(z + 0.5, y + 0.5, x + 0.5, kidR) < 1) {
                            v = 160;
                            label = 3;
                        }
                        v += r.nextGaussian() * 7;
                    }
                    int i = (z * h + y) * w + x;
                    img[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                    gt[i] = (byte) label;
                }
            }
        }
        return new Case(String.format("3D_synthetic_CT_%04d", index), "CT", true, true, new int[] {d, h, w}, img, gt,
                null, new double[] {2.5, 0.8, 0.8});
    }

    private static Case pet(Random r, int index) {
        int d = 12;
        int h = 96;
        int w = 96;
        float[] act = new float[d * h * w];
        byte[] gt = new byte[d * h * w];
        int lesions = 1 + r.nextInt(3);
        double[][] e = new double[lesions][];
        for (int k = 0; k < lesions; k++) {
            double rad = uniform(r, 4, 8);
            e[k] = new double[] {uniform(r, 4, 8), uniform(r, 25, 71), uniform(r, 25, 71), rad * 0.6, rad, rad};
        }
        for (int z = 0; z < d; z++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double by = (y + 0.5 - 48) / 36;
                    double bx = (x + 0.5 - 48) / 42;
                    double v = by * by + bx * bx < 1 ? 35 : 2;
                    int i = (z * h + y) * w + x;
                    for (int k = 0; k < lesions; k++) {
                        if (ellipsoid(z + 0.5, y + 0.5, x + 0.5, e[k]) < 1) {
                            v = uniform(r, 170, 200);
                            gt[i] = (byte) (k + 1);
                        }
                    }
                    act[i] = (float) v;
                }
            }
        }
        // point-spread blur in-plane (two box passes), then Poisson-like noise
        float[] tmp = act.clone();
        for (int pass = 0; pass < 2; pass++) {
            for (int z = 0; z < d; z++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        float s = 0;
                        int n = 0;
                        for (int dy = -1; dy <= 1; dy++) {
                            for (int dx = -1; dx <= 1; dx++) {
                                int yy = y + dy;
                                int xx = x + dx;
                                if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                    s += act[(z * h + yy) * w + xx];
                                    n++;
                                }
                            }
                        }
                        tmp[(z * h + y) * w + x] = s / n;
                    }
                }
            }
            System.arraycopy(tmp, 0, act, 0, act.length);
        }
        byte[] img = new byte[act.length];
        for (int i = 0; i < act.length; i++) {
            double v = act[i] + Math.sqrt(Math.max(act[i], 0)) * 1.5 * r.nextGaussian();
            img[i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
        return new Case(String.format("3D_synthetic_PET_%04d", index), "PET", true, true, new int[] {d, h, w}, img, gt,
                null, new double[] {3.0, 2.0, 2.0});
    }
}
