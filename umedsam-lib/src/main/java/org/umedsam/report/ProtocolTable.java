package org.umedsam.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The analogue of the paper's Table 2 (its training protocol: pre-trained weights, batch size,
 * patch size, epochs, optimizer, learning rate, schedule, loss, training time): one row per item,
 * one column per configuration, read from the runs' {@code config.json} (values that differ
 * between a configuration's seeds are joined with {@code " / "}), the trained parameters counted
 * from the last checkpoint's optimizer state (only trained tensors have AdamW moments), and the
 * number of cases per data split.
 *
 * <p>{@code sigmaLearningRate} is shown when config.json has it; runs made before that key existed
 * trained log sigma at the network's rate, and the cell says so. A configuration without the
 * uncertainty weighting has no sigmas: its trained group is named without them and its sigma rate
 * is a dash, whatever its config.json carries by default.
 *
 * <p>An epoch is not a pass over the training split: the study caps the cases drawn per modality
 * and epoch, so the table counts the steps of the first epoch in steps.csv and the training images
 * those steps take (steps x batch size). How many training and validation cases the split holds,
 * and how many validation samples an epoch scores, the run records do not say; with
 * {@code dataCounts} the split sizes are shown.
 */
public final class ProtocolTable {
    private static final String OPTIMIZER_M = "optimizer/m/";
    private static final String SIGMA_KEY = "loss.log_sigma";

    private ProtocolTable() {
    }

    /**
     * @param runs       the runs folder
     * @param dataCounts cases per split and modality ({@code split -> modality -> n}, as
     *                   {@code DatasetManifest.counts()} gives), or null: then only the test cases the
     *                   runs scored are counted
     */
    public static Table of(RunsDirectory runs, Map<String, Map<String, Integer>> dataCounts) throws IOException {
        Map<String, List<RunRecords>> byConfig = new LinkedHashMap<>();
        for (String c : Ordering.configurations(runs.runs().stream().map(RunRecords::configuration).toList())) {
            byConfig.put(c, runs.runs().stream().filter(r -> r.configuration().equals(c))
                    .sorted(java.util.Comparator.comparingLong(RunRecords::seed)).toList());
        }
        Map<String, Map<String, String>> columns = new LinkedHashMap<>();
        for (Map.Entry<String, List<RunRecords>> e : byConfig.entrySet()) {
            columns.put(e.getKey(), column(e.getValue(), dataCounts));
        }
        StringColumn item = StringColumn.create("Item");
        List<String> items = new ArrayList<>();
        columns.values().forEach(m -> m.keySet().forEach(k -> {
            if (!items.contains(k)) {
                items.add(k);
            }
        }));
        items.forEach(item::append);
        Table t = Table.create("Table 2: training protocol", item);
        for (Map.Entry<String, Map<String, String>> e : columns.entrySet()) {
            StringColumn col = StringColumn.create(e.getKey());
            items.forEach(k -> col.append(e.getValue().getOrDefault(k, "–")));
            t.addColumns(col);
        }
        return t;
    }

    private static Map<String, String> column(List<RunRecords> runs, Map<String, Map<String, Integer>> dataCounts)
            throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Seeds", String.join(", ", runs.stream().map(r -> Long.toString(r.seed())).toList()));
        m.put("Model preset", value(runs, "modelPreset"));
        m.put("Initial weights", value(runs, "initialWeights").replace("\"\"", "random initialisation"));
        boolean sigmas = value(runs, "weighting").equals("uncertainty");
        m.put("Trained parameter group", trainedGroup(value(runs, "trainable"), sigmas));
        m.put("Trained parameters (from checkpoint)", trainedParameters(runs));
        m.put("Batch size (images)", value(runs, "batchSize"));
        m.put("Boxes per image", value(runs, "boxesPerImage"));
        m.put("Box jitter (px)", value(runs, "bboxShift"));
        m.put("Intensity augmentation", value(runs, "intensityAugmentation"));
        m.put("Epochs (limit)", value(runs, "epochs"));
        String stepsPerEpoch = stepsPerEpoch(runs);
        m.put("Steps per epoch (first epoch)", stepsPerEpoch);
        m.put("Training images per epoch (steps x batch)", imagesPerEpoch(stepsPerEpoch, value(runs, "batchSize")));
        m.put("Validation samples per epoch", validationSamples(runs));
        m.put("Steps (limit; 0: all epochs)", value(runs, "maxSteps"));
        m.put("Steps done", stepsDone(runs));
        m.put("Optimizer", "AdamW (beta1 " + value(runs, "beta1") + ", beta2 " + value(runs, "beta2") + ", eps "
                + value(runs, "epsilon") + ")");
        m.put("Learning rate (network)", value(runs, "learningRate"));
        boolean hasSigmaLr = runs.stream().anyMatch(r -> r.config().has("sigmaLearningRate"));
        m.put("Learning rate (log sigma)", !sigmas ? "–" : hasSigmaLr ? value(runs, "sigmaLearningRate")
                : "not in config.json (the network's rate)");
        m.put("Weight decay", value(runs, "weightDecay"));
        m.put("Schedule", schedule(runs));
        m.put("SAM", sam(runs));
        m.put("Loss terms", value(runs, "losses"));
        m.put("Weighting", weighting(runs));
        if (dataCounts != null) {
            dataCounts.forEach((split, byModality) -> m.put("Cases: " + split,
                    byModality.values().stream().mapToInt(Integer::intValue).sum() + " (" + byModality.size()
                            + " modality groups)"));
        } else {
            m.put("Cases: test (scored)", testCases(runs));
        }
        return m;
    }

    /** Distinct {@code validation_samples} of the runs' run.json, joined with " / "; "not recorded" for older runs. */
    static String validationSamples(List<RunRecords> runs) {
        Set<String> values = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            java.util.OptionalInt n = r.validationSamples();
            if (n.isEmpty()) {
                return "not recorded";
            }
            values.add(Integer.toString(n.getAsInt()));
        }
        return values.isEmpty() ? "–" : String.join(" / ", values);
    }

    /** Distinct values of a config.json key over the runs, joined with " / "; "–" when absent. */
    static String value(List<RunRecords> runs, String key) {
        Set<String> values = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            if (r.config().has(key)) {
                values.add(text(r.config().get(key)));
            }
        }
        return values.isEmpty() ? "–" : String.join(" / ", values);
    }

    private static String text(JsonElement e) {
        if (e.isJsonArray()) {
            List<String> parts = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> parts.add(text(x)));
            return String.join(" + ", parts);
        }
        if (e.isJsonPrimitive()) {
            String s = e.getAsString();
            return s.isEmpty() ? "\"\"" : s;
        }
        return e.toString();
    }

    /** {@code MASK_DECODER_AND_SIGMAS} as "mask decoder and log sigmas", or "mask decoder" without sigmas. */
    static String trainedGroup(String trainable, boolean sigmas) {
        return switch (trainable) {
            case "MASK_DECODER_AND_SIGMAS" -> sigmas ? "mask decoder and log sigmas" : "mask decoder";
            case "ALL" -> sigmas ? "all parameters and log sigmas" : "all parameters";
            default -> trainable;
        };
    }

    /** Steps logged with the first epoch's number in steps.csv (a later epoch may be cut short by maxSteps). */
    private static String stepsPerEpoch(List<RunRecords> runs) {
        Set<String> values = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            if (!r.steps().containsColumn("epoch") || r.steps().rowCount() == 0) {
                continue;
            }
            double[] epoch = r.stepColumn("epoch");
            long n = java.util.Arrays.stream(epoch).filter(e -> e == epoch[0]).count();
            values.add(Long.toString(n));
        }
        return values.isEmpty() ? "–" : String.join(" / ", values);
    }

    private static String imagesPerEpoch(String stepsPerEpoch, String batchSize) {
        try {
            return Long.toString(Long.parseLong(stepsPerEpoch) * Long.parseLong(batchSize));
        } catch (NumberFormatException e) {
            return "–"; // several values over the seeds, or none recorded
        }
    }

    private static String schedule(List<RunRecords> runs) {
        String s = value(runs, "lrSchedule");
        if (s.equals("cosine")) {
            return "cosine, warm-up " + value(runs, "warmupSteps") + " steps";
        }
        if (s.equals("plateau") || s.equals("–")) {
            return "ReduceLROnPlateau (factor " + value(runs, "plateauFactor") + ", patience "
                    + value(runs, "plateauPatience") + " epochs)";
        }
        return s;
    }

    private static String sam(List<RunRecords> runs) {
        String on = value(runs, "sam");
        if (on.equals("true")) {
            return "yes, rho " + value(runs, "samRho") + (value(runs, "samAdaptive").equals("true") ? " (adaptive)" : "");
        }
        return on.equals("false") ? "no" : on;
    }

    private static String weighting(List<RunRecords> runs) {
        String w = value(runs, "weighting");
        if (w.equals("uncertainty")) {
            return "uncertainty (" + value(runs, "uncertaintyForm") + " form)";
        }
        String fixed = value(runs, "fixedWeights");
        return fixed.isEmpty() || fixed.equals("–") ? w : w + " " + fixed;
    }

    private static String stepsDone(List<RunRecords> runs) {
        Set<String> values = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            double[] steps = r.stepColumn("step");
            values.add(steps.length == 0 ? "0" : Long.toString(Math.round(steps[steps.length - 1])));
        }
        return String.join(" / ", values);
    }

    private static String testCases(List<RunRecords> runs) throws IOException {
        Set<String> values = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            Path f = r.dir().resolve(RunFiles.SCORES);
            if (Files.isRegularFile(f)) {
                values.add(Integer.toString(Tables.readCsv(f).rowCount()));
            }
        }
        return values.isEmpty() ? "–" : String.join(" / ", values);
    }

    /**
     * Elements of the tensors with AdamW moments in {@code checkpoint/last.ckpt} (the network's
     * trained parameters, plus the log sigmas counted apart); distinct values over the runs.
     */
    private static String trainedParameters(List<RunRecords> runs) throws IOException {
        Set<String> values = new LinkedHashSet<>();
        for (RunRecords r : runs) {
            Path ckpt = r.dir().resolve("checkpoint").resolve("last.ckpt");
            if (!Files.isRegularFile(ckpt)) {
                continue;
            }
            Set<String> keys = new LinkedHashSet<>();
            for (String k : Npz.keys(ckpt)) {
                if (k.startsWith(OPTIMIZER_M)) {
                    keys.add(k);
                }
            }
            long network = 0;
            long sigmas = 0;
            for (Map.Entry<String, NpyArray> e : Npz.read(ckpt, keys).entrySet()) {
                if (e.getKey().equals(OPTIMIZER_M + SIGMA_KEY)) {
                    sigmas += e.getValue().size();
                } else {
                    network += e.getValue().size();
                }
            }
            values.add(String.format(Locale.ROOT, "%,d", network) + (sigmas > 0 ? " + " + sigmas + " log sigma" : ""));
        }
        return values.isEmpty() ? "– (no checkpoint)" : String.join(" / ", values);
    }
}
