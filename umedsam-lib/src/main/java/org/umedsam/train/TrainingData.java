package org.umedsam.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.umedsam.data.Case;
import org.umedsam.data.CaseReader;
import org.umedsam.data.SamplerConfig;
import org.umedsam.data.TrainingSampler;

/**
 * The training and validation sources of a folder of challenge-format {@code .npz} cases (with
 * {@code gts}) for a configuration: {@code train/} and {@code validation/} when the folder has them
 * (the default dataset's layout), else all cases shuffled with the seed and split by
 * {@link TrainConfig#validationFraction()}. Training samples follow {@link TrainConfig#sampler()};
 * validation samples use exact boxes, no flips and one box per image, the same every epoch.
 *
 * <p>Every case is opened and checked first ({@link CaseReader#read}, which also bounds memory), so a
 * bad case fails now and not when the sampler reaches it; or, when asked, is left out with a warning
 * and listed in {@link #skipped} (the trainer records them in {@code run.json}).
 *
 * @param train           training items
 * @param validation      validation items, or null without a validation split
 * @param trainCases      number of training case files
 * @param validationCases number of validation case files
 * @param skipped         the cases left out, each "file: problem"
 */
public record TrainingData(TrainingSource train, TrainingSource validation, int trainCases, int validationCases,
                           List<String> skipped) {

    /** The sources of {@code dir} for {@code config}; a bad case is an error. */
    public static TrainingData of(Path dir, TrainConfig config) throws IOException {
        return of(dir, config, false, System.err::println);
    }

    /**
     * The sources of {@code dir} for {@code config}; with {@code skipBadCases} a case that cannot be read
     * (or has no {@code gts}, or {@code gts} without any label) is left out with a warning on {@code warnings}, else it is an error.
     */
    public static TrainingData of(Path dir, TrainConfig config, boolean skipBadCases,
                                      java.util.function.Consumer<String> warnings)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such data folder");
        }
        List<Path> tr;
        List<Path> val;
        if (Files.isDirectory(dir.resolve("train"))) {
            tr = npzUnder(dir.resolve("train"));
            val = Files.isDirectory(dir.resolve("validation")) && config.validationFraction() > 0
                    ? npzUnder(dir.resolve("validation")) : List.of();
        } else {
            List<Path> files = npzUnder(dir);
            Collections.shuffle(files, new Random(config.seed()));
            int nVal = config.validationFraction() > 0 && files.size() >= 2
                    ? Math.max(1, (int) Math.round(files.size() * config.validationFraction())) : 0;
            val = files.subList(0, nVal);
            tr = files.subList(nVal, files.size());
        }
        if (tr.isEmpty()) {
            throw new IOException(dir + ": no training .npz cases found");
        }
        List<String> skipped = new ArrayList<>();
        tr = checked(tr, skipped, skipBadCases, warnings);
        val = checked(val, skipped, skipBadCases, warnings);
        if (tr.isEmpty()) {
            throw new IOException(dir + ": no readable training .npz cases (" + skipped.size() + " skipped)");
        }
        TrainingSampler trainSampler = TrainingSampler.ofFiles(tr, config.sampler());
        TrainingSampler valSampler = val.isEmpty() ? null
                : TrainingSampler.ofFiles(val, new SamplerConfig(config.seed(), 0, false, false, Map.of()));
        return new TrainingData(SamplerSource.training(trainSampler, skipped, dir),
                valSampler == null ? null : SamplerSource.validation(valSampler), tr.size(), val.size(),
                List.copyOf(skipped));
    }

    private static List<Path> checked(List<Path> files, List<String> skipped, boolean skipBadCases,
                                      java.util.function.Consumer<String> warnings) throws IOException {
        List<Path> good = new ArrayList<>();
        for (Path f : files) {
            String problem;
            try {
                Case cs = CaseReader.read(f);
                if (!cs.hasGts()) {
                    problem = f + ": no 'gts'; training needs labels";
                } else if (cs.labelledSlices().length == 0) {
                    // the sampler draws only labelled slices: such a case would stop the run when first drawn
                    problem = f + ": 'gts' is all background (no labelled slice); training needs labels";
                } else {
                    good.add(f);
                    continue;
                }
            } catch (IOException | IllegalArgumentException e) {
                problem = e.getMessage();
            }
            if (!skipBadCases) {
                throw new IOException(problem + " (checked before training; --skip-bad-cases leaves such cases out)");
            }
            warnings.accept("warning: skipping " + problem);
            skipped.add(problem);
        }
        return good;
    }

    private static List<Path> npzUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return new ArrayList<>(s.filter(p -> p.toString().endsWith(".npz") && Files.isRegularFile(p)).sorted()
                    .toList());
        }
    }
}
