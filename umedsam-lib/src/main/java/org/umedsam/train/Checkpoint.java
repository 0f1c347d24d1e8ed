package org.umedsam.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;
import org.umedsam.model.ModelFiles;

/**
 * Everything needed to continue a run bit for bit: model parameters and buffers, optimizer state,
 * the loss' log-sigmas, the scheduler, and where the run stands. Data order and augmentation are
 * pure functions of (seed, epoch, index), so the position ({@code epoch}, {@code stepInEpoch})
 * is the sampler's whole state.
 *
 * <p>Stored as an uncompressed {@code .npz} (readable with {@code numpy.load}), written atomically
 * (temp file + rename): {@code parameters/<name>}, {@code buffers/<name>} (the model's weights, as
 * {@link ModelFiles} reads them), {@code optimizer/<key>},
 * {@code loss/log_sigma} [M] float64, and {@code meta}, the UTF-8 JSON of {@link Meta} as uint8.
 */
public record Checkpoint(Map<String, INDArray> parameters, Map<String, INDArray> buffers,
                         Map<String, INDArray> optimizer, double[] logSigmas, Meta meta) {

    /**
     * @param step          optimizer steps completed
     * @param epoch         current epoch (0-based)
     * @param stepInEpoch   steps of {@code epoch} completed
     * @param epochLossSum  sum of the step losses of {@code epoch} so far (the scheduler's metric)
     * @param epochSeconds  wall seconds spent in {@code epoch} so far
     * @param bestScore     best checkpoint score so far (validation DSC, or minus the train loss)
     * @param scheduler     ReduceLROnPlateau state
     * @param config        the run's configuration as JSON
     */
    public record Meta(long step, int epoch, int stepInEpoch, double epochLossSum, double epochSeconds,
                       double bestScore, Map<String, Double> scheduler, String config) {
    }

    static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create();

    public void write(Path file) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        parameters.forEach((k, v) -> arrays.put(ModelFiles.PARAMETERS_PREFIX + k, StateArrays.toNpy(v)));
        buffers.forEach((k, v) -> arrays.put(ModelFiles.BUFFERS_PREFIX + k, StateArrays.toNpy(v)));
        optimizer.forEach((k, v) -> arrays.put("optimizer/" + k, StateArrays.toNpy(v)));
        arrays.put("loss/log_sigma", NpyArray.ofFloat64(logSigmas.clone(), logSigmas.length));
        byte[] meta = GSON.toJson(this.meta).getBytes(StandardCharsets.UTF_8);
        arrays.put("meta", NpyArray.ofUint8(meta, meta.length));
        Npz.write(file, arrays, false);
    }

    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such checkpoint");
        }
        Map<String, NpyArray> arrays = Npz.read(file);
        Map<String, INDArray> params = new LinkedHashMap<>();
        Map<String, INDArray> buffers = new LinkedHashMap<>();
        Map<String, INDArray> optim = new LinkedHashMap<>();
        double[] sigmas = null;
        Meta meta = null;
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            String k = e.getKey();
            String what = file + ":" + k;
            if (k.startsWith(ModelFiles.PARAMETERS_PREFIX)) {
                params.put(k.substring(ModelFiles.PARAMETERS_PREFIX.length()), StateArrays.fromNpy(e.getValue(), what));
            } else if (k.startsWith(ModelFiles.BUFFERS_PREFIX)) {
                buffers.put(k.substring(ModelFiles.BUFFERS_PREFIX.length()), StateArrays.fromNpy(e.getValue(), what));
            } else if (k.startsWith("optimizer/")) {
                optim.put(k.substring("optimizer/".length()), StateArrays.fromNpy(e.getValue(), what));
            } else if (k.equals("loss/log_sigma")) {
                sigmas = e.getValue().toDoubleArray();
            } else if (k.equals("meta")) {
                meta = GSON.fromJson(new String(e.getValue().toUint8Array(), StandardCharsets.UTF_8), Meta.class);
            } else {
                throw new IOException(file + ": unexpected entry '" + k + "' in checkpoint");
            }
        }
        if (meta == null || sigmas == null) {
            throw new IOException(file + ": not a umedsam checkpoint (missing 'meta' or 'loss/log_sigma')");
        }
        return new Checkpoint(params, buffers, optim, sigmas, meta);
    }
}
