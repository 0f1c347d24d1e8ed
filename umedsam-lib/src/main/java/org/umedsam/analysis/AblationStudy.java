package org.umedsam.analysis;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.umedsam.data.DatasetManifest;
import org.umedsam.data.DefaultDatasets;
import org.umedsam.data.Modalities;
import org.umedsam.data.SamplerConfig;
import org.umedsam.data.TrainingSampler;
import org.umedsam.model.EmbeddingCache;
import org.umedsam.metrics.ScoreConfig;
import org.umedsam.report.RunFiles;
import org.umedsam.train.Batch;
import org.umedsam.train.ParameterGroup;
import org.umedsam.train.RunFolder;
import org.umedsam.train.SamplerSource;
import org.umedsam.train.TrainConfig;
import org.umedsam.train.Trainer;
import org.umedsam.train.TrainingSetup;
import org.umedsam.train.TrainingSource;

/**
 * Trains every configuration x seed of an {@link AblationSettings} on the default data into
 * {@code runsRoot/<profile>/<configuration>-s<seed>/}, scores each on the test split, and adds the
 * loss landscapes; the {@code figures} step ({@link org.umedsam.viz.PaperFigures}) then reads that
 * folder.
 *
 * <p>Nothing is overwritten silently: a run folder that is complete (has {@value RunFiles#SCORES})
 * is reused and said so; one with a checkpoint is resumed; one that was left without a checkpoint
 * (killed in its first epoch) is moved aside to {@code <name>.incomplete-<time>} with a message.
 * A run folder whose {@code config.json} differs from what this study would train is an error.
 */
public final class AblationStudy {
    private final AblationSettings settings;
    private final Path dataRoot;
    private final Path configsDir;
    private final Path runsDir;
    private final Path runsRoot;
    private final PrintStream log;
    /** Folder of the embedding files the study's processes share ({@link EmbeddingCache}), under its runs. */
    public static final String EMBEDDINGS_DIR = "embeddings";
    /** Most bytes of embedding files a study writes (the default data's test split takes about 1.6 GB). */
    static final long EMBEDDING_FILES_BYTES = 4L << 30;
    /**
     * The profiles train only the mask decoder: every run of a study shares the base model's embeddings, in memory
     * and as files, so each notebook's kernel and a resumed study find the ones embedded before. A profile that
     * trains every parameter ({@code -all}) keeps none: each run ends with its own encoder, so no embedding is ever
     * asked for twice, and kept ones only held the heap (the first run's test embeddings took a quarter of it for
     * the whole study, which then ran out of memory in its third run, 2026-12-07) and disk.
     */
    private final EmbeddingCache embeddings;
    /**
     * The training and validation images' embeddings, apart from the test split's so that they do not take its
     * room (the default test split needs about 380 embeddings, as many as a quarter of a 6 GB heap holds): for a
     * seed, every configuration trains on the same batches and all validate on the same items.
     */
    private final EmbeddingCache trainingEmbeddings;
    private DatasetManifest manifest;

    /**
     * @param settings   what to run
     * @param dataRoot   where the default data is (built there if missing; see {@link AblationSettings#dataDir})
     * @param configsDir folder of {@code <configuration>.json}
     * @param runsRoot   runs go to {@code runsRoot/<profile>}
     */
    public AblationStudy(AblationSettings settings, Path dataRoot, Path configsDir, Path runsRoot, PrintStream log) {
        this.settings = settings;
        this.dataRoot = settings.dataDir(dataRoot);
        this.configsDir = configsDir;
        this.runsDir = settings.runsDir(runsRoot);
        this.runsRoot = runsRoot;
        this.log = log;
        Path files = runsDir.resolve(EMBEDDINGS_DIR);
        boolean shared = settings.trainable() != ParameterGroup.ALL;
        this.embeddings = shared
                ? new EmbeddingCache(Runtime.getRuntime().maxMemory() / 4, files, EMBEDDING_FILES_BYTES)
                : new EmbeddingCache(0);
        this.trainingEmbeddings = shared
                ? new EmbeddingCache(Runtime.getRuntime().maxMemory() / 8, files, EMBEDDING_FILES_BYTES)
                : new EmbeddingCache(0);
    }

    /** The test split's embeddings as this study's evaluations share them (none for a profile training the encoder). */
    EmbeddingCache testEmbeddings() {
        return embeddings;
    }

    /** The data folder this study uses. */
    public Path dataRoot() {
        return dataRoot;
    }

    public Path runsDir() {
        return runsDir;
    }

    public AblationSettings settings() {
        return settings;
    }

    /** The default data's manifest (built on first use). */
    public DatasetManifest data() throws IOException {
        if (manifest == null) {
            manifest = DefaultDatasets.ensure(dataRoot, settings.dataProfile());
        }
        return manifest;
    }

    /**
     * What every run shares, made once before the runs start (they may then train at the same time, in other
     * processes): the default data and the warm start. Reuses what is there.
     */
    public void prepare() throws IOException {
        data();
        warmStart();
    }

    /** Whether {@link #prepare} has nothing left to do (the data's manifest and the scored warm start exist). */
    public boolean prepared() {
        return Files.isRegularFile(dataRoot.resolve("manifest.json")) && (settings.warmStartSteps() == 0 || !settings.baseModel().isEmpty()
                || Files.isRegularFile(settings.warmStartDir(runsRoot).resolve(RunFiles.SCORES)));
    }

    /** Runs everything: training, evaluation, landscapes. Returns the runs folder. */
    public Path runAll() throws IOException {
        long t0 = System.nanoTime();
        trainAndEvaluateAll();
        landscapes();
        log.printf(Locale.ROOT, "ablation study '%s' done in %.1f min: %s%n", settings.profile(),
                (System.nanoTime() - t0) / 60e9, runsDir);
        return runsDir;
    }

    /**
     * Trains and scores every configuration x seed (reusing finished runs), and scores the base model
     * ({@link #baseModelScores()}). Returns the runs folder.
     */
    public Path trainAndEvaluateAll() throws IOException {
        for (String config : settings.configurations()) {
            for (long seed : settings.seeds()) {
                run(config, seed);
            }
        }
        baseModelScores();
        return runsDir;
    }

    /**
     * Scores the profile's base model, before any fine-tuning, on the same test cases as the runs, into
     * {@code <runs>/<profile>/}{@value RunFiles#BASE_MODEL_DIR}: the reference that says what fine-tuning moved. Its
     * encoder is the runs' frozen one, so its embeddings come from the shared cache. Scores already there are reused
     * only when their {@link ScoredBaseModel} record names the same model with the same weights; otherwise (a folder
     * from another base model, or one written before the record was kept) the model is scored again.
     *
     * @return the folder, or null when the profile has no base model (a warm start or random initialisation)
     */
    public Path baseModelScores() throws IOException {
        if (settings.baseModel().isEmpty()) {
            return null;
        }
        Path dir = runsDir.resolve(RunFiles.BASE_MODEL_DIR);
        ScoredBaseModel model = ScoredBaseModel.of(settings.baseModel());
        java.util.Optional<ScoredBaseModel> scored = ScoredBaseModel.read(dir);
        boolean hasScores = Files.isRegularFile(dir.resolve(RunFiles.SCORES));
        if (hasScores && scored.equals(java.util.Optional.of(model))) {
            log.println("reusing the base model's scores in " + dir);
            return dir;
        }
        if (hasScores) {
            log.println("scoring the base model " + settings.baseModel() + " again: " + dir + " holds "
                    + scored.map(r -> "the scores of " + r.model() + " (SHA-256 " + r.sha256().substring(0, 12) + ")")
                            .orElse("scores without a record of their model"));
        }
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        org.umedsam.model.LiteMedSam base = org.umedsam.model.LiteMedSam.load(org.umedsam.model.ShippedModels.resolve(Path.of(settings.baseModel())));
        double dsc = new TestSetEvaluation(ScoreConfig.defaults(), log, embeddings).evaluate(base, testFiles(), dir, 0);
        log.printf(Locale.ROOT, "base model %s before fine-tuning: test mean DSC %.4f (evaluated in %.1f s)%n",
                settings.baseModel(), dsc, (System.nanoTime() - t0) / 1e9);
        model.write(dir);
        return dir;
    }

    /**
     * The study of a notebook, from environment variables: {@code UMEDSAM_SMOKE=1} selects the
     * smoke profile, else {@code UMEDSAM_PROFILE} (default {@code quick}); {@code UMEDSAM_DATA},
     * {@code UMEDSAM_RUNS} and {@code UMEDSAM_CONFIGS} override the folders (defaults: the
     * checkout's {@code data/}, {@code runs/} and {@code experiments/configs/}).
     */
    public static AblationStudy fromEnvironment(PrintStream log) {
        Map<String, String> env = System.getenv();
        String profile = "1".equals(env.get("UMEDSAM_SMOKE")) ? "smoke" : env.getOrDefault("UMEDSAM_PROFILE", "quick");
        Path root = DefaultDatasets.defaultRoot().getParent();
        return new AblationStudy(AblationSettings.named(profile),
                Path.of(env.getOrDefault("UMEDSAM_DATA", root.resolve("data").toString())),
                Path.of(env.getOrDefault("UMEDSAM_CONFIGS", root.resolve("experiments").resolve("configs").toString())),
                Path.of(env.getOrDefault("UMEDSAM_RUNS", root.resolve("runs").toString())), log);
    }

    /**
     * Trains (or reuses, or resumes) the shared warm start of {@link AblationSettings#warmStartSteps()}
     * and scores it on the test split; returns its {@code last.ckpt}, or null when the profile has none.
     */
    public Path warmStart() throws IOException {
        if (settings.warmStartSteps() == 0 || !settings.baseModel().isEmpty()) {
            return null;
        }
        Path dir = settings.warmStartDir(runsRoot);
        trainAndScore(warmStartConfig(), dir, settings.seeds().get(0), 0);
        return dir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST);
    }

    /**
     * The warm start: the baseline loss at the warm-start learning rate, first seed, warm-start steps, training
     * the mask decoder and sigmas whatever the profile trains. It stands in for released weights; a profile that
     * trains every parameter fine-tunes all of them from it at its configurations' rate, so a profile and its
     * {@code -all} variant start from the same weights and differ only in what the fine-tuning trains.
     */
    TrainConfig warmStartConfig() throws IOException {
        Path file = configsDir.resolve("baseline.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": the warm start trains the baseline configuration, which is missing");
        }
        return TrainConfig.read(file).with(Map.of(
                "name", settings.warmStartDir(runsRoot).getFileName().toString(),
                "seed", settings.seeds().get(0),
                "modelPreset", settings.modelPreset(),
                "trainable", ParameterGroup.MASK_DECODER_AND_SIGMAS.name(),
                "epochs", 1000,
                "maxSteps", settings.warmStartSteps(),
                "learningRate", settings.warmStartLearningRate(),
                "validationFraction", 0.0,
                "checkpointEverySteps", 0));
    }

    /**
     * Trains (or reuses, or resumes) one run and scores it on the test split; returns its folder.
     * The profile's warm start is trained first if it is not there yet.
     */
    public Path run(String configuration, long seed) throws IOException {
        if (settings.warmStartSteps() > 0 && settings.baseModel().isEmpty()
                && !Files.isRegularFile(settings.warmStartDir(runsRoot).resolve(RunFiles.SCORES))) {
            warmStart();
        }
        String name = AblationSettings.runName(configuration, seed);
        Path dir = runsDir.resolve(name);
        int examples = seed == settings.seeds().get(0) ? settings.examplesPerModality() : 0;
        return trainAndScore(trainConfig(configuration, seed), dir, seed, examples);
    }

    private Path trainAndScore(TrainConfig config, Path dir, long seed, int examples) throws IOException {
        String name = dir.getFileName().toString();
        if (Files.isRegularFile(dir.resolve(RunFiles.SCORES))) {
            checkSameConfig(dir, config);
            log.println("reusing finished run " + dir);
            return dir;
        }
        long t0 = System.nanoTime();
        // the frozen base encoder's embeddings of the training and validation images are shared between runs
        TrainingSetup setup = new TrainingSetup(config, TrainingSetup.model(config, trainingEmbeddings),
                trainSource(seed), validationSource());
        Trainer.Options options = new Trainer.Options(false, 0, log);
        if (Files.isRegularFile(dir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST))) {
            checkSameConfig(dir, config);
            log.println("resuming " + dir);
            setup.resume(dir, options);
        } else {
            if (Files.exists(dir)) {
                Path aside = dir.resolveSibling(name + ".incomplete-" + Instant.now().toString().replace(':', '-'));
                Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                log.println(dir + " has no checkpoint (interrupted in its first epoch): moved to " + aside);
            }
            log.println("training " + name + " (seed " + seed + (config.initialWeights().isEmpty() ? ""
                    : ", from " + config.initialWeights()) + ")");
            Trainer.Result r = setup.start(dir.getParent(), options);
            if (!r.runDir().equals(dir)) {
                throw new IOException("trainer wrote " + r.runDir() + ", expected " + dir);
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        // the cache's counters run over the study; this run's share is the difference
        long hits = embeddings.hits();
        long misses = embeddings.misses();
        double dsc = new TestSetEvaluation(ScoreConfig.defaults(), log, embeddings).evaluate(
                TrainingSetup.trained(dir).model(), testFiles(), dir, examples);
        log.printf(Locale.ROOT, "%s: trained in %.1f s, test mean DSC %.4f (evaluated in %.1f s; embeddings from the "
                + "cache %d, computed %d)%n", name, trainSeconds, dsc, (System.nanoTime() - t1) / 1e9,
                embeddings.hits() - hits, embeddings.misses() - misses);
        return dir;
    }

    /**
     * Landscapes and sharpness for every seed of each landscape configuration, on the common
     * objective; a run whose {@value RunFiles#LANDSCAPE_DIR}/{@value RunFiles#SHARPNESS} exists is
     * reused (said so), one without a finished run folder is skipped (said so).
     */
    public void landscapes() throws IOException {
        if (settings.landscapeConfigurations().isEmpty()) {
            return;
        }
        Batch batch = null;
        Batch sharpnessBatch = null;
        for (String configuration : settings.landscapeConfigurations()) {
            for (long seed : settings.seeds()) {
                Path dir = runsDir.resolve(AblationSettings.runName(configuration, seed));
                // a scored run is finished; a run still training (or stopped) would give a landscape of other weights
                if (!Files.isRegularFile(dir.resolve(RunFiles.SCORES))
                        || !Files.isRegularFile(dir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST))) {
                    log.println("no finished run " + dir + " for a landscape; skipped");
                    continue;
                }
                if (Files.isRegularFile(dir.resolve(RunFiles.LANDSCAPE_DIR).resolve(RunFiles.SHARPNESS))) {
                    log.println("reusing landscape of " + dir);
                    continue;
                }
                if (Files.isDirectory(dir.resolve("landscape"))) {
                    log.println(dir.resolve("landscape") + " (each run's own objective, one direction pair) is no longer "
                            + "read; left in place, computing " + RunFiles.LANDSCAPE_DIR + "/");
                }
                if (batch == null) {
                    batch = RunLandscape.batch(data().files(dataRoot, "train"), settings.landscapeBatch());
                    // the same sampler, so the landscape batch's samples come first
                    sharpnessBatch = settings.sharpnessBatch() == 0 ? batch
                            : RunLandscape.batch(data().files(dataRoot, "train"), settings.sharpnessBatch());
                }
                long t0 = System.nanoTime();
                RunLandscape.Result s = RunLandscape.compute(dir, batch, sharpnessBatch, settings);
                log.printf(Locale.ROOT, "%s: landscape (%d direction pairs, %dx%d) in %.1f s; common loss %.4f, "
                                + "sharpness (rho %.3g) %.4g%n", dir.getFileName(), s.directionPairs(), s.points2d(),
                        s.points2d(), (System.nanoTime() - t0) / 1e9, s.loss(), s.rho(), s.sharpness());
            }
        }
    }

    /**
     * Times {@code baseline} against {@code full} (first seed of each) interleaved on the test cases
     * ({@link EfficiencyComparison}) and writes {@code <runs>/efficiency.csv}; reuses the file when it is
     * there. Not part of {@link #runAll}: it costs {@code 2 x repeats} passes of inference over the cases.
     *
     * @param repeats passes over the cases
     * @param cases   test cases timed, spread evenly over the 2D and the 3D test cases
     *                ({@link EfficiencyComparison#spread}; 0: every test case)
     * @return the file
     */
    public Path efficiency(int repeats, int cases) throws IOException {
        Path out = runsDir.resolve(org.umedsam.report.EfficiencyTable.FILE);
        if (Files.isRegularFile(out)) {
            log.println("reusing " + out);
            return out;
        }
        long seed = settings.seeds().get(0);
        List<Path> runs = List.of(runsDir.resolve(AblationSettings.runName("baseline", seed)),
                runsDir.resolve(AblationSettings.runName("full", seed)));
        List<Path> pick = EfficiencyComparison.spread(testFiles(), cases);
        EfficiencyComparison.run(runs, List.of("baseline", "full"), pick, repeats, out, log);
        return out;
    }

    /**
     * The configuration file with this study's run name, seed, preset and training length; a profile training every
     * parameter also recalibrates the BatchNorm statistics before validation passes and at the run's end ({@link
     * AblationSettings#CALIBRATION_IMAGES}), so its test scores do not depend on which images its last batches held.
     */
    public TrainConfig trainConfig(String configuration, long seed) throws IOException {
        Path file = configsDir.resolve(configuration + ".json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such configuration (configurations live in " + configsDir + ")");
        }
        return TrainConfig.read(file).with(Map.of(
                "name", AblationSettings.runName(configuration, seed),
                "seed", seed,
                "modelPreset", settings.modelPreset(),
                "trainable", settings.trainable().name(),
                "epochs", settings.epochs(),
                "maxSteps", settings.maxSteps(),
                "validationFraction", 0.0,
                "checkpointEverySteps", 0,
                "initialWeights", warmStartCheckpoint(),
                "batchNormCalibrationImages", settings.trainable() == ParameterGroup.ALL
                        ? AblationSettings.CALIBRATION_IMAGES : 0));
    }

    /**
     * What every run starts from: the profile's base model (a shipped model's name or a file), else the warm
     * start's last checkpoint as an absolute path, else "" (random initialisation).
     */
    private String warmStartCheckpoint() {
        if (!settings.baseModel().isEmpty()) {
            return settings.baseModel();
        }
        if (settings.warmStartSteps() == 0) {
            return "";
        }
        return settings.warmStartDir(runsRoot).resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST)
                .toAbsolutePath().normalize().toString();
    }

    /** Training samples: the data pipeline's sampler over the train split, seeded by the run's seed. */
    public TrainingSource trainSource(long seed) throws IOException {
        List<Path> files = data().files(dataRoot, "train");
        SamplerConfig sc = SamplerConfig.defaults().withSeed(seed);
        if (settings.capPerModality() > 0) {
            Map<String, Integer> caps = new java.util.TreeMap<>();
            for (Path f : files) {
                caps.put(Modalities.of(f), settings.capPerModality());
            }
            sc = sc.withCaps(caps);
        }
        return SamplerSource.training(TrainingSampler.ofFiles(files, sc));
    }

    /** Validation samples: no flips, no box jitter, at most {@code validationItems} per epoch; null for none. */
    public TrainingSource validationSource() throws IOException {
        if (settings.validationItems() == 0) {
            return null;
        }
        List<Path> files = data().files(dataRoot, "validation");
        if (files.isEmpty()) {
            return null;
        }
        return new LimitedSource(SamplerSource.validation(
                TrainingSampler.ofFiles(files, new SamplerConfig(7L, 0, false, false, Map.of()))), settings.validationItems());
    }

    /** The test cases evaluated: the whole test split or, with a limit, an even spread over it. */
    public List<Path> testFiles() throws IOException {
        List<Path> all = data().files(dataRoot, "test");
        int n = settings.testCases();
        if (n == 0 || n >= all.size()) {
            return all;
        }
        List<Path> pick = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pick.add(all.get((int) ((long) i * all.size() / n)));
        }
        return pick;
    }

    private static void checkSameConfig(Path dir, TrainConfig expected) throws IOException {
        TrainConfig found = TrainConfig.read(dir.resolve(RunFolder.CONFIG));
        // gcEverySteps changes time and memory, never results: runs written under another default still count
        if (!found.with(java.util.Map.of("gcEverySteps", expected.gcEverySteps())).equals(expected)) {
            throw new IOException(dir + ": exists with a different config.json than this study would train; "
                    + "use another --runs folder or move it away (found " + found.toJson() + ")");
        }
    }
}
