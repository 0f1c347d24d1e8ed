package org.umedsam.model.cpu;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.model.ModelConfig;

import java.util.Map;

/**
 * The CPU image encoder of one weight version: {@link #at} folds and copies the weights (BatchNorm folded,
 * {@link ImageEncoder#of}) only when asked for a version other than the one it holds, so repeated
 * evaluation passes at unchanged weights share one snapshot and its activation buffers. The version is the
 * caller's: a number it advances whenever the weights may have changed. Not thread-safe.
 */
public final class EncoderSnapshots {

    private ImageEncoder encoder;
    private long version;

    /** The encoder for {@code weightVersion}, built from {@code stateDict} when the held one is of another version. */
    public ImageEncoder at(long weightVersion, ModelConfig config, Map<String, INDArray> stateDict) {
        if (encoder == null || version != weightVersion) {
            encoder = null; // the old snapshot and its buffers may go before the new one is built
            encoder = ImageEncoder.of(config, stateDict);
            version = weightVersion;
        }
        return encoder;
    }
}
