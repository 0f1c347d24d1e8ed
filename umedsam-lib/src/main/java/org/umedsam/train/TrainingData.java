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
import org.umedsam.data.SamplerConfig;
import org.umedsam.data.TrainingSampler;

/**
 * The training and validation sources of a folder of challenge-format {@code .npz} cases (with
 * {@code gts}) for a configuration: {@code train/} and {@code validation/} when the folder has them
 * (the default dataset's layout), else all cases shuffled with the seed and split by
 * {@link TrainConfig#validationFraction()}. Training samples follow {@link TrainConfig#sampler()};
 * validation samples use exact boxes, no flips and one box per image, the same every epoch.
 *
 * @param train           training items
 * @param validation      validation items, or null without a validation split
 * @param trainCases      number of training case files
 * @param validationCases number of validation case files
 */
public record TrainingData(TrainingSource train, TrainingSource validation, int trainCases, int validationCases) {

    /** The sources of {@code dir} for {@code config}. */
    public static TrainingData of(Path dir, TrainConfig config) throws IOException {
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
        TrainingSampler trainSampler = TrainingSampler.ofFiles(tr, config.sampler());
        TrainingSampler valSampler = val.isEmpty() ? null
                : TrainingSampler.ofFiles(val, new SamplerConfig(config.seed(), 0, false, false, Map.of()));
        return new TrainingData(SamplerSource.training(trainSampler),
                valSampler == null ? null : SamplerSource.validation(valSampler), tr.size(), val.size());
    }

    private static List<Path> npzUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return new ArrayList<>(s.filter(p -> p.toString().endsWith(".npz") && Files.isRegularFile(p)).sorted()
                    .toList());
        }
    }
}
