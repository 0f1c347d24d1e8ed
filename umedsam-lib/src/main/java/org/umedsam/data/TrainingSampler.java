package org.umedsam.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import org.umedsam.io.LabelArray;

/**
 * Draws training samples the way LiteMedSAM's trainer ({@code NpyDataset.__getitem__}) does, from
 * challenge cases with {@code gts}:
 * <ol>
 *   <li>3D case: a uniformly random slice among those holding a label;</li>
 *   <li>the image slice goes through {@link Preprocess} (3 channels, INTER_AREA longest side 256,
 *       min-max, pad); the label slice is resized with INTER_NEAREST to the same size and padded;</li>
 *   <li>one label uniformly among those present after resizing (optionally one of its 8-connected
 *       components with area &gt; 3) becomes the 0/1 target;</li>
 *   <li>random left-right flip, then up-down flip (each p = 0.5) of image and target;</li>
 *   <li>box = tight box of the target, {@code x_min - randint(0, shift)}, {@code x_max + randint},
 *       {@code y_min - ...}, {@code y_max + ...} (that draw order), clipped to 0..255.</li>
 * </ol>
 * <b>Reproducible and resumable:</b> an epoch's case order is a function of {@code (seed, epoch)}
 * ({@link #epochOrder}) and each sample a function of {@code (seed, epoch, position)}
 * ({@link #sample}); nothing depends on what was drawn before, so training resumes at
 * {@code batches(epoch, batchSize, startPosition)} with identical data.
 * <p>With {@link SamplerConfig#boxesPerImage} {@code k > 1}, positions {@code k i .. k i + k - 1} of an
 * epoch come from one image of case {@code order[i]} with different labels (see {@link #draw}), so a
 * trainer can embed it once for {@code k} boxes. {@link SamplerConfig#intensity} adds
 * {@link IntensityAugmentation}.
 * <p>Per-modality caps ({@link SamplerConfig#capPerModality}) limit how many cases of a modality
 * enter one epoch; each modality's cases are shuffled per epoch before capping.
 * <p>Cases come from memory or from files (read on demand, the last 32 kept).
 */
public final class TrainingSampler {
    private static final int CACHE = 32;

    private final List<Path> files;
    private final List<Case> cases;
    private final List<String> modalities;
    private final SamplerConfig config;
    private final Preprocess preprocess = Preprocess.defaults();
    private final Map<Integer, Case> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Case> e) {
            return size() > CACHE;
        }
    };

    /** A sampler over cases held in memory (each must have {@code gts}). */
    public TrainingSampler(List<Case> cases, SamplerConfig config) {
        this(List.copyOf(cases), null, config);
        for (Case c : this.cases) {
            if (!c.hasGts()) {
                throw new IllegalArgumentException(c.name() + " has no gts; training needs labels");
            }
        }
    }

    /** A sampler over case files, read on demand; modality from each file name ({@link Modalities#of}). */
    public static TrainingSampler ofFiles(List<Path> files, SamplerConfig config) {
        return new TrainingSampler(null, List.copyOf(files), config);
    }

    private TrainingSampler(List<Case> cases, List<Path> files, SamplerConfig config) {
        this.cases = cases;
        this.files = files;
        this.config = config;
        this.modalities = cases != null ? cases.stream().map(Case::modality).toList()
                : files.stream().map(Modalities::of).toList();
        if (modalities.isEmpty()) {
            throw new IllegalArgumentException("no training cases");
        }
    }

    public SamplerConfig config() {
        return config;
    }

    /** Number of cases. */
    public int caseCount() {
        return modalities.size();
    }

    /** Case indices per modality (sorted by modality). */
    public Map<String, List<Integer>> casesByModality() {
        Map<String, List<Integer>> m = new TreeMap<>();
        for (int i = 0; i < modalities.size(); i++) {
            m.computeIfAbsent(modalities.get(i), k -> new ArrayList<>()).add(i);
        }
        return m;
    }

    private int lastEpoch = Integer.MIN_VALUE;
    private int[] lastOrder;

    /** The case indices of an epoch, in sampling order (a pure function of seed and epoch). */
    public synchronized int[] epochOrder(int epoch) {
        if (epoch != lastEpoch) {
            lastOrder = computeOrder(epoch);
            lastEpoch = epoch;
        }
        return lastOrder.clone();
    }

    private int[] computeOrder(int epoch) {
        Random r = new Random(mix(config.seed(), epoch, -1));
        List<Integer> chosen = new ArrayList<>();
        for (var e : casesByModality().entrySet()) {
            List<Integer> ids = new ArrayList<>(e.getValue());
            Collections.shuffle(ids, r);
            chosen.addAll(ids.subList(0, Math.min(ids.size(), config.capFor(e.getKey()))));
        }
        Collections.shuffle(chosen, r);
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Samples in an epoch: {@link SamplerConfig#boxesPerImage} consecutive positions per case. */
    public int epochSize(int epoch) {
        return epochOrder(epoch).length * config.boxesPerImage();
    }

    /** The sample at {@code position} of {@code epoch}. */
    public Sample sample(int epoch, int position) {
        int[] order = epochOrder(epoch);
        int k = config.boxesPerImage();
        if (position < 0 || position >= order.length * k) {
            throw new IndexOutOfBoundsException("position " + position + " outside epoch of " + order.length * k);
        }
        return draw(caseAt(order[position / k]), epoch, position);
    }

    /** Batches of an epoch from {@code startPosition} on (the last may be smaller). */
    public Iterator<SampleBatch> batches(int epoch, int batchSize, int startPosition) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        int size = epochSize(epoch);
        return new Iterator<>() {
            int next = startPosition;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public SampleBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Sample> b = new ArrayList<>();
                for (int i = 0; i < batchSize && next < size; i++, next++) {
                    b.add(sample(epoch, next));
                }
                return SampleBatch.of(b);
            }
        };
    }

    /** All batches of an epoch. */
    public Iterator<SampleBatch> batches(int epoch, int batchSize) {
        return batches(epoch, batchSize, 0);
    }

    private synchronized Case caseAt(int i) {
        if (cases != null) {
            return cases.get(i);
        }
        return cache.computeIfAbsent(i, k -> {
            try {
                Case c = CaseReader.read(files.get(k));
                if (!c.hasGts()) {
                    throw new IllegalStateException(files.get(k) + ": no gts; training needs labels");
                }
                return c;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private final Map<String, int[]> labelledSlices = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The sample at {@code position} of {@code epoch} from case {@code c}. With one box per image
     * everything is drawn from one stream seeded by {@code (seed, epoch, position)}, as LiteMedSAM's
     * {@code __getitem__} draws it: slice, label, component, flips, box jitter (then the intensity change
     * when on). With {@code k > 1} boxes per image, the {@code k} positions of one image share a stream
     * seeded by the image's slot for the slice, a label order, the flips and the intensity change; the
     * {@code j}-th position takes the {@code j}-th label of that order (cycling when the slice has fewer),
     * and its component and box jitter come from its own position's stream.
     */
    Sample draw(Case c, int epoch, int position) {
        int k = config.boxesPerImage();
        Random imageRng = new Random(k == 1 ? mix(config.seed(), epoch, position)
                : mix(config.seed(), epoch, -2 - position / k));
        Random boxRng = k == 1 ? imageRng : new Random(mix(config.seed(), epoch, position));
        int j = position % k;
        int[] slices = labelledSlices.computeIfAbsent(c.name(), key -> c.labelledSlices());
        if (slices.length == 0) {
            throw new IllegalStateException(c.name() + ": no labelled slice");
        }
        int side = preprocess.side();
        // a label may vanish in the nearest-neighbour resize of a tiny object: try other slices
        for (int attempt = 0; attempt < 16; attempt++) {
            int z = slices[imageRng.nextInt(slices.length)];
            PreparedImage p = preprocess.prepare(c.slice(z));
            LabelArray gt = NearestResize.resize(c.gtSlice(z), c.height(), c.width(), p.newH(), p.newW());
            LabelArray gt256 = Pad.labels(gt, p.newH(), p.newW(), side);
            int[] labels = present(gt256);
            if (labels.length == 0) {
                continue;
            }
            int label;
            if (k == 1) {
                label = labels[imageRng.nextInt(labels.length)];
            } else {
                int[] order = labels.clone();
                for (int i = order.length - 1; i > 0; i--) {
                    int q = imageRng.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[q];
                    order[q] = t;
                }
                label = order[j % order.length];
            }
            byte[] mask = new byte[side * side];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = (byte) (gt256.get(i) == label ? 1 : 0);
            }
            if (config.connectedComponent()) {
                List<int[]> comps = ConnectedComponents.of(mask, side, side).stream().filter(cc -> cc.length > 3).toList();
                if (!comps.isEmpty()) {
                    int[] cc = comps.get(boxRng.nextInt(comps.size()));
                    java.util.Arrays.fill(mask, (byte) 0);
                    for (int q : cc) {
                        mask[q] = 1;
                    }
                }
            }
            float[] image = p.chw();
            boolean flipX = false;
            boolean flipY = false;
            if (config.flips()) {
                flipX = imageRng.nextDouble() > 0.5;
                flipY = imageRng.nextDouble() > 0.5;
                if (flipX) {
                    image = flipX(image, 3, side);
                    mask = flipX(mask, side);
                }
                if (flipY) {
                    image = flipY(image, 3, side);
                    mask = flipY(mask, side);
                }
            }
            int[] b = BoxPrompts.tightBox(mask, side, side);
            int s = config.bboxShift();
            float x0 = Math.max(0, b[0] - boxRng.nextInt(s + 1));
            float x1 = Math.min(side - 1, b[2] + boxRng.nextInt(s + 1));
            float y0 = Math.max(0, b[1] - boxRng.nextInt(s + 1));
            float y1 = Math.min(side - 1, b[3] + boxRng.nextInt(s + 1));
            if (config.intensity()) {
                // the content sits top-left before flips; a flip moves it, so change the flipped frame's content
                int top = flipY ? side - p.newH() : 0;
                int left = flipX ? side - p.newW() : 0;
                IntensityAugmentation.apply(image, side, top, left, p.newH(), p.newW(), imageRng);
            }
            return new Sample(image, new float[] {x0, y0, x1, y1}, mask, c.modality(), c.name(), z, label);
        }
        throw new IllegalStateException(c.name() + ": labels vanish when resized to 256; no usable slice found");
    }

    private static int[] present(LabelArray gt) {
        boolean[] seen = new boolean[(gt.isWide() ? LabelArray.MAX_LABEL : 255) + 1];
        int len = gt.length();
        for (int i = 0; i < len; i++) {
            seen[gt.get(i)] = true;
        }
        int n = 0;
        int[] out = new int[seen.length - 1];
        for (int i = 1; i < seen.length; i++) {
            if (seen[i]) {
                out[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static float[] flipX(float[] chw, int c, int side) {
        float[] o = new float[chw.length];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < side; y++) {
                int row = (k * side + y) * side;
                for (int x = 0; x < side; x++) {
                    o[row + x] = chw[row + side - 1 - x];
                }
            }
        }
        return o;
    }

    private static float[] flipY(float[] chw, int c, int side) {
        float[] o = new float[chw.length];
        for (int k = 0; k < c; k++) {
            for (int y = 0; y < side; y++) {
                System.arraycopy(chw, (k * side + side - 1 - y) * side, o, (k * side + y) * side, side);
            }
        }
        return o;
    }

    private static byte[] flipX(byte[] m, int side) {
        byte[] o = new byte[m.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                o[y * side + x] = m[y * side + side - 1 - x];
            }
        }
        return o;
    }

    private static byte[] flipY(byte[] m, int side) {
        byte[] o = new byte[m.length];
        for (int y = 0; y < side; y++) {
            System.arraycopy(m, (side - 1 - y) * side, o, y * side, side);
        }
        return o;
    }

    /** {@link Seeds#mix} of seed, epoch and position on the sampler's stream. */
    private static long mix(long seed, long epoch, long position) {
        return Seeds.mix(seed, epoch, position, Seeds.SAMPLER_STREAM);
    }
}
