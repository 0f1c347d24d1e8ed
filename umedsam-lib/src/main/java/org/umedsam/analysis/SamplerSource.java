package org.umedsam.analysis;

import org.umedsam.data.Sample;
import org.umedsam.data.TrainingSampler;
import org.umedsam.train.TrainingExample;
import org.umedsam.train.TrainingSource;

/**
 * The data pipeline's {@link TrainingSampler} as the trainer's {@link TrainingSource}, optionally
 * limited to the first {@code limit} samples of every epoch (a validation pass of bounded cost).
 * Samples are pure functions of (seed, epoch, position), as the trainer's resume requires.
 */
final class SamplerSource implements TrainingSource {
    private final TrainingSampler sampler;
    private final int limit;

    /**
     * @param limit at most this many samples per epoch (0: all)
     */
    SamplerSource(TrainingSampler sampler, int limit) {
        this.sampler = sampler;
        this.limit = limit;
    }

    @Override
    public int epochSize(int epoch) {
        int n = sampler.epochSize(epoch);
        return limit > 0 ? Math.min(limit, n) : n;
    }

    @Override
    public TrainingExample example(int epoch, int position) {
        Sample s = sampler.sample(epoch, position);
        return new TrainingExample(s.caseName() + "#" + s.slice() + ":" + s.label(), s.image(), s.box(), s.mask(),
                Sample.SIDE, Sample.SIDE, s.modality());
    }
}
