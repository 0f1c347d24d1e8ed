package org.umedsam.train;

import java.util.List;
import org.umedsam.data.Sample;
import org.umedsam.data.TrainingSampler;

/**
 * The data pipeline's {@link TrainingSampler} as a {@link TrainingSource}: its samples are pure
 * functions of (seed, epoch, position), with LiteMedSAM's random slice, label, flips and box jitter.
 * For a validation split use {@link #validation}: always epoch 0, so the same samples every epoch
 * (and their distance maps are cached).
 */
public final class SamplerSource implements TrainingSource {
    private final TrainingSampler sampler;
    private final boolean fixedEpoch;
    private final List<String> skipped;
    private final java.nio.file.Path dataDir;

    private SamplerSource(TrainingSampler sampler, boolean fixedEpoch, List<String> skipped,
                          java.nio.file.Path dataDir) {
        this.sampler = sampler;
        this.fixedEpoch = fixedEpoch;
        this.skipped = List.copyOf(skipped);
        this.dataDir = dataDir;
    }

    public static SamplerSource training(TrainingSampler sampler) {
        return new SamplerSource(sampler, false, List.of(), null);
    }

    /** A training source whose sampler lacks the unreadable cases listed in {@code skipped} ("file: problem"). */
    public static SamplerSource training(TrainingSampler sampler, List<String> skipped) {
        return new SamplerSource(sampler, false, skipped, null);
    }

    /**
     * As {@link #training(TrainingSampler, List)}, the cases coming from {@code dataDir} (recorded in
     * {@code run.json}; made absolute here).
     */
    public static SamplerSource training(TrainingSampler sampler, List<String> skipped, java.nio.file.Path dataDir) {
        return new SamplerSource(sampler, false, skipped, dataDir.toAbsolutePath().normalize());
    }

    public static SamplerSource validation(TrainingSampler sampler) {
        return new SamplerSource(sampler, true, List.of(), null);
    }

    @Override
    public List<String> skippedCases() {
        return skipped;
    }

    @Override
    public java.nio.file.Path dataDir() {
        return dataDir;
    }

    @Override
    public int epochSize(int epoch) {
        return sampler.epochSize(fixedEpoch ? 0 : epoch);
    }

    @Override
    public TrainingExample example(int epoch, int position) {
        Sample s = sampler.sample(fixedEpoch ? 0 : epoch, position);
        return new TrainingExample(s.caseName() + "[slice " + s.slice() + ", label " + s.label() + "]", s.image(),
                s.box(), s.mask(), Sample.SIDE, Sample.SIDE, s.modality());
    }

    @Override
    public long cacheKey(int epoch, int position) {
        return fixedEpoch ? position : -1;
    }
}
