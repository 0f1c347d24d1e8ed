package org.umedsam.infer;

import java.util.Locale;

/**
 * Where inference time goes, accumulated by a {@link Predictor} (and {@link VolumePropagation}) as it
 * works: wall nanoseconds in the model ({@link #embedNanos}, {@link #decodeNanos}) and around it
 * (preprocessing, post-processing, the next slice's box, painting labels, {@code System.gc()}), with the
 * counts that go with them. Two {@code System.nanoTime()} calls per part and call: far below the
 * milliseconds measured. A case's share is {@link #minus} of two {@link #copy}s taken around it.
 *
 * <p>Not thread-safe: filled under the predictor's lock, read between cases.
 */
public final class InferenceTimings {
    /** Resize, normalise, pad and the {@code [1, 3, 256, 256]} input array. */
    long preprocessNanos;
    /** {@code LiteMedSam.embed}. */
    long embedNanos;
    /** {@code LiteMedSam.decode} (prompt encoder and mask decoder, all boxes of a call). */
    long decodeNanos;
    /** Logits out of the prediction, bilinear resize to the slice and threshold. */
    long postprocessNanos;
    /** Each next slice's box from the previous mask ({@link VolumePropagation}). */
    long promptNanos;
    /** Writing labels into the case's label array. */
    long paintNanos;
    /** {@code System.gc()} calls. */
    long gcNanos;
    long embeddings;
    long decodeCalls;
    long boxesDecoded;

    public long preprocessNanos() {
        return preprocessNanos;
    }

    public long embedNanos() {
        return embedNanos;
    }

    public long decodeNanos() {
        return decodeNanos;
    }

    public long postprocessNanos() {
        return postprocessNanos;
    }

    public long promptNanos() {
        return promptNanos;
    }

    public long paintNanos() {
        return paintNanos;
    }

    public long gcNanos() {
        return gcNanos;
    }

    public long embeddings() {
        return embeddings;
    }

    public long decodeCalls() {
        return decodeCalls;
    }

    public long boxesDecoded() {
        return boxesDecoded;
    }

    /** Nanoseconds in the model: embeddings and decodes. */
    public long modelNanos() {
        return embedNanos + decodeNanos;
    }

    /** Nanoseconds of every timed part, model and not. */
    public long timedNanos() {
        return preprocessNanos + embedNanos + decodeNanos + postprocessNanos + promptNanos + paintNanos + gcNanos;
    }

    /** An independent copy of the current sums. */
    public InferenceTimings copy() {
        InferenceTimings t = new InferenceTimings();
        t.add(this, 1);
        return t;
    }

    /** {@code this - earlier}: what happened since {@code earlier} was copied. */
    public InferenceTimings minus(InferenceTimings earlier) {
        InferenceTimings t = copy();
        t.add(earlier, -1);
        return t;
    }

    private void add(InferenceTimings o, int sign) {
        preprocessNanos += sign * o.preprocessNanos;
        embedNanos += sign * o.embedNanos;
        decodeNanos += sign * o.decodeNanos;
        postprocessNanos += sign * o.postprocessNanos;
        promptNanos += sign * o.promptNanos;
        paintNanos += sign * o.paintNanos;
        gcNanos += sign * o.gcNanos;
        embeddings += sign * o.embeddings;
        decodeCalls += sign * o.decodeCalls;
        boxesDecoded += sign * o.boxesDecoded;
    }

    /** One line: each part in seconds and the counts. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "embed %.3f s (%d), decode %.3f s (%d calls, %d boxes), preprocess %.3f s, "
                        + "postprocess %.3f s, prompts %.3f s, paint %.3f s, gc %.3f s", embedNanos / 1e9, embeddings,
                decodeNanos / 1e9, decodeCalls, boxesDecoded, preprocessNanos / 1e9, postprocessNanos / 1e9,
                promptNanos / 1e9, paintNanos / 1e9, gcNanos / 1e9);
    }
}
