package org.umedsam.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.data.Case;
import org.umedsam.io.LabelArray;
import org.umedsam.report.QualitativeExample;
import org.umedsam.train.ParameterGroup;

/** The parts of the ablation pipeline that need no training: settings, examples, figures' inputs. */
class AnalysisPartsTest {

    @Test
    void profilesAreNamedAndKeepTheirDataApart() {
        AblationSettings quick = AblationSettings.named("quick");
        assertThat(quick.configurations()).containsExactly("baseline", "only-sd", "no-sam", "full");
        assertThat(quick.seeds()).hasSize(2); // the fewest that give a plus-minus over seeds
        assertThat(quick.testCases()).isZero(); // the whole test split
        assertThat(AblationSettings.full().seeds()).hasSize(3);
        assertThat(AblationSettings.named("FULL").seeds()).hasSize(3);
        assertThat(quick.trainable()).isEqualTo(ParameterGroup.MASK_DECODER_AND_SIGMAS);
        assertThat(quick.dataDir(Path.of("/x/data"))).isEqualTo(Path.of("/x/data"));
        assertThat(AblationSettings.smoke().dataDir(Path.of("/x/data"))).isEqualTo(Path.of("/x/data-tiny"));
        assertThat(quick.runsDir(Path.of("runs"))).isEqualTo(Path.of("runs", "quick"));
        assertThat(AblationSettings.runName("no-sam", 2)).isEqualTo("no-sam-s2");
        assertThatThrownBy(() -> AblationSettings.named("huge")).hasMessageContaining("smoke, quick, full or long");
    }

    @Test
    void longTrainsFullsRunsFourTimesAsLongAndOnlyScoresThem() {
        AblationSettings full = AblationSettings.full();
        AblationSettings longer = AblationSettings.named("long");
        assertThat(longer.profile()).isEqualTo("long");
        assertThat(longer.epochs()).isEqualTo(4 * full.epochs());
        // the same runs otherwise: configurations, seeds, data, preset, trained parameters, sampling, base model
        assertThat(longer.configurations()).isEqualTo(full.configurations());
        assertThat(longer.seeds()).isEqualTo(full.seeds());
        assertThat(longer.dataProfile()).isEqualTo(full.dataProfile());
        assertThat(longer.modelPreset()).isEqualTo(full.modelPreset());
        assertThat(longer.trainable()).isEqualTo(full.trainable());
        assertThat(longer.capPerModality()).isEqualTo(full.capPerModality());
        assertThat(longer.maxSteps()).isEqualTo(full.maxSteps());
        assertThat(longer.testCases()).isEqualTo(full.testCases());
        assertThat(longer.baseModel()).isEqualTo(full.baseModel());
        // the same landscapes and sharpness estimate, so they compare across lengths
        assertThat(longer.landscapeConfigurations()).isEqualTo(full.landscapeConfigurations());
        assertThat(List.of(longer.landscapeBatch(), longer.points2d(), longer.directionPairs(), longer.sharpnessDirections(),
                longer.ascentSteps(), longer.sharpnessBatch())).isEqualTo(List.of(full.landscapeBatch(), full.points2d(),
                full.directionPairs(), full.sharpnessDirections(), full.ascentSteps(), full.sharpnessBatch()));
        assertThat(longer.sharpnessRho()).isEqualTo(full.sharpnessRho());
        // no validation pass (it does not steer training) and no kept examples
        assertThat(longer.validationItems()).isZero();
        assertThat(longer.examplesPerModality()).isZero();
        assertThat(AblationSettings.named("long-all").trainable()).isEqualTo(ParameterGroup.ALL);
    }

    @Test
    void fullIsComparedWithItsLongerRunsOnlyWhenEveryOneHasScores(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws java.io.IOException {
        assertThat(AblationSettings.longerProfile("full")).contains("long");
        assertThat(AblationSettings.longerProfile("full-all")).contains("long-all");
        assertThat(AblationSettings.longerProfile("quick")).isEmpty();
        Path full = tmp.resolve("full");
        java.nio.file.Files.createDirectories(full);
        assertThat(LongerRuns.finishedBeside(full)).as("no long folder").isEmpty();
        for (String run : java.util.List.of("baseline-s0", "full-s0")) {
            Path dir = java.nio.file.Files.createDirectories(tmp.resolve("long").resolve(run));
            java.nio.file.Files.writeString(dir.resolve("steps.csv"), "step,loss_total\n1,0.5\n");
        }
        java.nio.file.Files.writeString(tmp.resolve("long/baseline-s0/scores.csv"), "case,modality,dsc,nsd\nc,mr,0.5,0.5\n");
        assertThat(LongerRuns.finishedBeside(full)).as("full-s0 still training").isEmpty();
        java.nio.file.Files.writeString(tmp.resolve("long/full-s0/scores.csv"), "case,modality,dsc,nsd\nc,mr,0.6,0.6\n");
        assertThat(LongerRuns.finishedBeside(full)).as("landscapes still computing").isEmpty();
        for (String run : java.util.List.of("baseline-s0", "full-s0")) {
            Path landscape = java.nio.file.Files.createDirectories(tmp.resolve("long").resolve(run).resolve("landscape-common"));
            java.nio.file.Files.writeString(landscape.resolve("sharpness.json"),
                    "{\"rho\": 0.05, \"loss\": 0.3, \"randomIncrease\": 0.001, \"ascentIncrease\": 0.1, \"sharpness\": 0.1}");
        }
        assertThat(LongerRuns.finishedBeside(full)).singleElement()
                .satisfies(r -> assertThat(r.dir().getFileName().toString()).isEqualTo("long"));
        assertThat(LongerRuns.finishedBeside(tmp.resolve("quick"))).as("quick has no longer profile").isEmpty();
    }

    @Test
    void fullIsComparedWithItsEveryParameterRunsOnlyWhenTheSameRunsHaveScores(@TempDir Path tmp) throws Exception {
        for (String study : List.of("full", "full-all")) {
            for (String run : List.of("baseline-s0", "full-s0")) {
                Path dir = Files.createDirectories(tmp.resolve(study).resolve(run));
                Files.writeString(dir.resolve("steps.csv"), "step,loss_total\n1,0.5\n");
            }
        }
        Path full = tmp.resolve("full");
        Files.writeString(tmp.resolve("full-all/baseline-s0/scores.csv"), "case,modality,dsc,nsd\nc,mr,0.5,0.5\n");
        assertThat(EveryParameterRuns.finishedBeside(full)).as("full-s0 still training").isEmpty();
        Files.writeString(tmp.resolve("full-all/full-s0/scores.csv"), "case,modality,dsc,nsd\nc,mr,0.6,0.6\n");
        assertThat(EveryParameterRuns.finishedBeside(full)).hasValueSatisfying(
                r -> assertThat(r.dir().getFileName().toString()).isEqualTo("full-all"));
        assertThat(EveryParameterRuns.finishedBeside(tmp.resolve("full-all"))).as("full-all is the counterpart").isEmpty();
        assertThat(EveryParameterRuns.finishedBeside(tmp.resolve("my-runs"))).as("not a profile's folder").isEmpty();
        Files.createDirectories(tmp.resolve("full/only-sd-s0")).resolve("steps.csv");
        Files.writeString(tmp.resolve("full/only-sd-s0/steps.csv"), "step,loss_total\n1,0.5\n");
        assertThat(EveryParameterRuns.finishedBeside(full)).as("another set of runs").isEmpty();
    }

    @Test
    void landscapeSettingsCoverEverySeedWithSeveralDirectionPairsOnOddGrids() {
        for (AblationSettings s : java.util.List.of(AblationSettings.smoke(), AblationSettings.quick(),
                AblationSettings.full())) {
            assertThat(s.directionPairs()).as(s.profile()).isGreaterThanOrEqualTo(2);
            assertThat(s.points2d() % 2).as(s.profile()).isEqualTo(1);
            assertThat(s.points1d()).as(s.profile()).isEqualTo(s.points2d());
        }
        AblationSettings full = AblationSettings.full();
        assertThat(full.landscapeConfigurations()).containsExactly("baseline", "no-sam", "full");
        assertThat(full.points2d()).isGreaterThan(9);
        AblationSettings q = AblationSettings.quick();
        assertThatThrownBy(() -> new AblationSettings("x", q.configurations(), q.seeds(), q.dataProfile(), q.modelPreset(),
                q.trainable(), 1, 1, 0, 0, 0, q.landscapeConfigurations(), 2, 5, 4, 2, 1.0, 0.05, 1, 1, 0, 0, 0, 0, ""))
                .hasMessageContaining("odd");
    }

    @Test
    void anAllSuffixTrainsEveryParameterInItsOwnRuns() {
        AblationSettings all = AblationSettings.named("quick-all");
        AblationSettings quick = AblationSettings.quick();
        assertThat(all.profile()).isEqualTo("quick-all");
        assertThat(all.trainable()).isEqualTo(ParameterGroup.ALL);
        assertThat(all.runsDir(Path.of("runs"))).isEqualTo(Path.of("runs", "quick-all"));
        // the warm start (mask decoder and sigmas) is the profile's own, shared
        assertThat(all.warmStartDir(Path.of("runs"))).isEqualTo(Path.of("runs", "quick-warm-start"));
        assertThat(all.baseProfile()).isEqualTo("quick");
        assertThat(quick.baseProfile()).isEqualTo("quick");
        // everything else is the profile's own
        assertThat(all.configurations()).isEqualTo(quick.configurations());
        assertThat(all.maxSteps()).isEqualTo(quick.maxSteps());
        assertThat(all.warmStartSteps()).isEqualTo(quick.warmStartSteps());
        // both fine-tune the shipped base model
        assertThat(all.baseModel()).isEqualTo(quick.baseModel()).isEqualTo(AblationSettings.BASE_MODEL);
        assertThat(all.dataDir(Path.of("/x/data"))).isEqualTo(quick.dataDir(Path.of("/x/data")));
        assertThat(AblationSettings.named("SMOKE-ALL").trainable()).isEqualTo(ParameterGroup.ALL);
        assertThat(all.trainingEveryParameter()).isSameAs(all);
        assertThatThrownBy(() -> AblationSettings.named("huge-all")).hasMessageContaining("-all");
    }

    @Test
    void derivedProfilesChangeOnlyTheirOwnFields() throws Exception {
        AblationSettings full = AblationSettings.full();
        assertOnlyDiffer(full, AblationSettings.named("long"), "profile", "epochs", "validationItems",
                "examplesPerModality");
        assertOnlyDiffer(full, AblationSettings.named("full-all"), "profile", "trainable");
        assertOnlyDiffer(full, AblationSettings.named("full-from-small-base"), "profile", "baseModel");
        assertOnlyDiffer(AblationSettings.named("full-all"), AblationSettings.named("full-all-from-small-base"),
                "profile", "baseModel");
    }

    private static void assertOnlyDiffer(AblationSettings a, AblationSettings b, String... fields) throws Exception {
        List<String> allowed = List.of(fields);
        for (java.lang.reflect.RecordComponent c : AblationSettings.class.getRecordComponents()) {
            Object x = c.getAccessor().invoke(a);
            Object y = c.getAccessor().invoke(b);
            if (allowed.contains(c.getName())) {
                assertThat(y).as("%s of %s", c.getName(), b.profile()).isNotEqualTo(x);
            } else {
                assertThat(y).as("%s of %s", c.getName(), b.profile()).isEqualTo(x);
            }
        }
    }

    @Test
    void onlyProfilesTrainingEveryParameterRecalibrateBatchNorm(@TempDir Path dir) throws Exception {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        Files.writeString(configs.resolve("full.json"), "{}");
        for (AblationSettings s : List.of(AblationSettings.full(), AblationSettings.named("full-all"))) {
            org.umedsam.train.TrainConfig c = new AblationStudy(s, dir.resolve("data"), configs, dir.resolve("runs"),
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).trainConfig("full", 0);
            assertThat(c.trainable()).isEqualTo(s.trainable());
            // a frozen encoder's statistics never move; a trained one's are recomputed, not left to its last batches
            assertThat(c.batchNormCalibrationImages())
                    .isEqualTo(s.trainable() == ParameterGroup.ALL ? AblationSettings.CALIBRATION_IMAGES : 0);
        }
    }

    @Test
    void onlyProfilesWithAFrozenEncoderKeepEmbeddings(@TempDir Path dir) {
        org.umedsam.model.LiteMedSam model = org.umedsam.model.LiteMedSam.create(org.umedsam.model.ModelConfig.small(), 3);
        org.nd4j.linalg.api.ndarray.INDArray image = org.nd4j.linalg.factory.Nd4j.rand(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 256, 256);
        for (String profile : List.of("quick", "quick-all")) {
            AblationStudy study = new AblationStudy(AblationSettings.named(profile), dir.resolve("data"),
                    dir.resolve("configs"), dir.resolve("runs"),
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            org.umedsam.model.EmbeddingCache cache = study.testEmbeddings();
            cache.embed(model, image);
            cache.embed(model, image);
            boolean frozen = !profile.endsWith("-all");
            // every run of an -all study ends with its own encoder: a kept embedding is never asked for again
            assertThat(cache.hits()).as(profile).isEqualTo(frozen ? 1 : 0);
            assertThat(cache.bytes() > 0).as(profile).isEqualTo(frozen);
            assertThat(Files.isDirectory(study.runsDir().resolve(AblationStudy.EMBEDDINGS_DIR))).as(profile)
                    .isEqualTo(frozen);
        }
    }

    @Test
    void aFromSuffixFineTunesAnotherBaseModelInItsOwnRuns() {
        AblationSettings full = AblationSettings.full();
        assertThat(full.baseModel()).isEqualTo("small-base-continued");
        AblationSettings other = AblationSettings.named("full-from-small-base");
        assertThat(other.profile()).isEqualTo("full-from-small-base");
        assertThat(other.baseModel()).isEqualTo("small-base");
        assertThat(other.runsDir(Path.of("runs"))).isEqualTo(Path.of("runs", "full-from-small-base"));
        // everything else is the profile's
        assertThat(other.fromBaseModel(full.baseModel())).isEqualTo(full);
        assertThat(other.fromBaseModel("mine").profile()).isEqualTo("full-from-mine");
        assertThat(new AblationSettings(full.profile(), other.configurations(), other.seeds(), other.dataProfile(),
                other.modelPreset(), other.trainable(), other.epochs(), other.maxSteps(), other.capPerModality(),
                other.validationItems(), other.testCases(), other.landscapeConfigurations(), other.landscapeBatch(),
                other.points1d(), other.points2d(), other.directionPairs(), other.span(), other.sharpnessRho(),
                other.sharpnessDirections(), other.ascentSteps(), other.sharpnessBatch(), other.examplesPerModality(),
                other.warmStartSteps(), other.warmStartLearningRate(), full.baseModel())).isEqualTo(full);
        assertThat(full.fromBaseModel(AblationSettings.BASE_MODEL)).isSameAs(full);
        assertThat(AblationSettings.named("quick-all-from-my-model").trainable()).isEqualTo(ParameterGroup.ALL);
        assertThat(AblationSettings.named("quick-all-from-my-model").baseModel()).isEqualTo("my-model");
        assertThat(AblationSettings.longerProfile("full-from-small-base")).contains("long-from-small-base");
        assertThat(AblationSettings.longerProfile("quick-from-x")).isEmpty();
        assertThatThrownBy(() -> AblationSettings.named("full-from-../weights")).hasMessageContaining("not a shipped model");
        assertThatThrownBy(() -> AblationSettings.named("huge-from-small-base-continued")).hasMessageContaining("unknown profile");
    }

    /** A 3-slice volume: slice 1 holds label 2 (large) and label 1 (small); slice 2 holds a little of label 1. */
    static Case volume() {
        int d = 3;
        int h = 40;
        int w = 600;
        byte[] imgs = new byte[d * h * w];
        byte[] gts = new byte[d * h * w];
        for (int z = 0; z < d; z++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (z * h + y) * w + x;
                    imgs[i] = (byte) (x % 200);
                    if (z == 1 && y >= 10 && y < 30 && x >= 100 && x < 400) {
                        gts[i] = 2;
                    } else if (z == 1 && y < 5 && x < 5) {
                        gts[i] = 1;
                    } else if (z == 2 && y < 3 && x < 3) {
                        gts[i] = 1;
                    }
                }
            }
        }
        return new Case("3DBox_CT_0001", "CT", true, true, new int[] {d, h, w}, imgs, gts, null, new double[] {1, 1, 1});
    }

    @Test
    void qualitativeExampleTakesTheFullestSliceAndItsLargestLabel() {
        Case c = volume();
        LabelArray segs = c.gts().copy();
        QualitativeExample e = TestSetEvaluation.example(c, segs, 0.9);
        // 600 wide -> scaled to 256: factor 256/600
        assertThat(e.width()).isEqualTo(256);
        assertThat(e.height()).isEqualTo(17);
        assertThat(e.channels()).isEqualTo(1);
        // the box is label 2's rectangle, x 100..399 -> about 43..170
        assertThat(e.box()[0]).isBetween(42.0, 44.0);
        assertThat(e.box()[2]).isBetween(169.0, 171.0);
        int truth = 0;
        for (boolean b : e.truth()) {
            truth += b ? 1 : 0;
        }
        assertThat(truth).isGreaterThan(1000);
        assertThat(e.prediction()).isEqualTo(e.truth());
    }

    @Test
    void preprocessingExampleMapsTheBoxIntoTheModelFrame() {
        Case c = volume();
        PreprocessingExamples.Example e = PreprocessingExamples.of(c);
        assertThat(e.modality()).isEqualTo("CT");
        assertThat(e.pair().before().box()).containsExactly(100, 10, 399, 29);
        // longest side 600 -> 256: x 100 -> int(100 * 256 / 600) = 42
        assertThat(e.pair().after().box()[0]).isEqualTo(42.0);
        assertThat(e.pair().after().width()).isEqualTo(256);
        assertThat(e.input()).hasSize(17 * 256);
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : e.input()) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertThat(lo).isEqualTo(0f);
        assertThat(hi).isEqualTo(1f);
    }

    /** A histogram of one case per modality says so, rather than reading as the modality's distribution. */
    @Test
    void histogramTitlesSayOneCasePerModality(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        System.setProperty("java.awt.headless", "true");
        java.util.List<PreprocessingExamples.Example> one = java.util.List.of(PreprocessingExamples.of(volume()));
        for (boolean input : new boolean[] {false, true}) {
            org.knowm.xchart.XYChart c = PreprocessingExamples.histogram(one, input, tmp,
                    new org.umedsam.viz.FigureWriter(72, false));
            assertThat(c.getTitle()).as("input %s", input).contains("one case per modality");
        }
    }
}
