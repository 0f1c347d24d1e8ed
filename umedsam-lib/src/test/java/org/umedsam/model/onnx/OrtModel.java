package org.umedsam.model.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exported model in an ONNX Runtime session (Java API, CPU, a fixed intra-op thread count): float inputs
 * in, float outputs out, as the tests and the side-by-side benchmark use it.
 */
final class OrtModel implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtModel(byte[] model, int threads) throws OrtException {
        this(model, threads, true);
    }

    /**
     * @param spinning ONNX Runtime's default: its intra-op threads spin-wait for work for a while after each
     *                 op (false: they block at once, freeing the cores for other work between runs)
     */
    OrtModel(byte[] model, int threads, boolean spinning) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            if (!spinning) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model, options);
        }
    }

    /** Inputs by name as {@code (data, shape)} pairs; returns every output by name, row-major. */
    Map<String, float[]> run(Map<String, Input> inputs) throws OrtException {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Input> en : inputs.entrySet()) {
                tensors.put(en.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(en.getValue().data()),
                        en.getValue().shape()));
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            try (OrtSession.Result r = session.run(tensors)) {
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> en : r) {
                    OnnxTensor t = (OnnxTensor) en.getValue();
                    FloatBuffer b = t.getFloatBuffer();
                    float[] v = new float[b.remaining()];
                    b.get(v);
                    out.put(en.getKey(), v);
                }
            }
            return out;
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    /** Output shapes as the session declares them (-1 for a dynamic dimension). */
    Map<String, long[]> outputShapes() throws OrtException {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, ai.onnxruntime.NodeInfo> en : session.getOutputInfo().entrySet()) {
            out.put(en.getKey(), ((ai.onnxruntime.TensorInfo) en.getValue().getInfo()).getShape());
        }
        return out;
    }

    record Input(float[] data, long... shape) {
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
