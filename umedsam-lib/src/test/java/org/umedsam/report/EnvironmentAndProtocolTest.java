package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;
import tech.tablesaw.api.Table;

class EnvironmentAndProtocolTest {
    @Test
    void procFilesAreParsed() {
        assertThat(EnvironmentTable.cpuModel("processor\t: 0\nvendor_id\t: X\nmodel name\t: Some CPU @ 2.0GHz\n"))
                .isEqualTo("Some CPU @ 2.0GHz");
        assertThat(EnvironmentTable.cpuModel("")).isEqualTo("unknown");
        assertThat(EnvironmentTable.memTotal("MemTotal:        8388608 kB\nMemFree: 1 kB\n")).isEqualTo("8.0 GiB");
        assertThat(EnvironmentTable.osRelease("NAME=x\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n"))
                .isEqualTo("Debian GNU/Linux 12");
    }

    @Test
    void environmentOfThisJvmAndOfTheRuns() {
        Map<String, String> here = EnvironmentTable.current();
        assertThat(here).containsKeys("CPU", "Memory (RAM)", "OS", "Java", "ND4J", "Threads (OMP_NUM_THREADS)");
        assertThat(here.get("Java")).startsWith(System.getProperty("java.version"));
        assertThat(here.get("ND4J")).matches("\\d.*"); // ND4J is on the library's class path
        JsonObject a = new JsonObject();
        a.addProperty("java_version", "17.0.15");
        a.addProperty("omp_num_threads", "");
        a.addProperty("cpu_kernels", "plain-Java kernels");
        JsonObject b = new JsonObject();
        b.addProperty("java_version", "17.0.16");
        b.addProperty("cpu_kernels", "vectorised kernels (16 float lanes)");
        Table t = EnvironmentTable.of(here, List.of(a, b));
        assertThat(t.columnNames()).containsExactly("Item", "This machine", "Recorded by the runs");
        int java = t.stringColumn("Item").indexOf("Java");
        assertThat(t.stringColumn("Recorded by the runs").get(java)).isEqualTo("17.0.15 / 17.0.16");
        int threads = t.stringColumn("Item").indexOf("Threads (OMP_NUM_THREADS)");
        assertThat(t.stringColumn("Recorded by the runs").get(threads)).isEqualTo("(unset)");
        // runs made with either kernel set (they round differently) show both
        int kernels = t.stringColumn("Item").indexOf("CPU engine kernels");
        assertThat(here.get("CPU engine kernels")).isEqualTo(org.umedsam.model.VectorSupport.describe());
        assertThat(t.stringColumn("Recorded by the runs").get(kernels))
                .isEqualTo("plain-Java kernels / vectorised kernels (16 float lanes)");
        assertThat(TableRenderer.markdown(t)).contains("| CPU |");
    }

    @Test
    void protocolReadsConfigsCheckpointsAndCounts(@TempDir Path dir) throws IOException {
        for (String run : List.of("baseline-s0", "full-s0", "full-s1")) {
            Path r = Files.createDirectories(dir.resolve(run));
            // two epochs of 2 steps, the second cut short by maxSteps
            Files.writeString(r.resolve("steps.csv"), "step,epoch,loss_total\n1,0,0.5\n2,0,0.4\n3,1,0.4\n");
            boolean full = run.startsWith("full");
            Files.writeString(r.resolve("config.json"), """
                    {"name": "%s", "seed": %s, "modelPreset": "small", "batchSize": 2, "maxSteps": 3, "trainable": "MASK_DECODER_AND_SIGMAS",
                     "losses": %s, "weighting": "%s", "uncertaintyForm": "paper", "fixedWeights": [],
                     "learningRate": 5e-5, "weightDecay": 0.01, "sam": %s, "samRho": 0.05, "samAdaptive": false,
                     "lrSchedule": "plateau", "plateauFactor": 0.9, "plateauPatience": 5, "initialWeights": "small-base"
                     %s}
                    """.formatted(run, run.substring(run.length() - 1), full ? "[\"dice\", \"bce\", \"iou\", \"sd\"]"
                    : "[\"dice\", \"bce\", \"iou\"]", full ? "uncertainty" : "fixed", full,
                    run.equals("full-s1") ? ", \"sigmaLearningRate\": 0.01" : ""));
            Map<String, NpyArray> ckpt = new LinkedHashMap<>();
            ckpt.put("parameters/mask_decoder.w", NpyArray.ofFloat32(new float[12], 3, 4));
            ckpt.put("optimizer/m/mask_decoder.w", NpyArray.ofFloat32(new float[12], 3, 4));
            ckpt.put("optimizer/m/mask_decoder.b", NpyArray.ofFloat32(new float[4], 4));
            ckpt.put("optimizer/v/mask_decoder.w", NpyArray.ofFloat32(new float[12], 3, 4));
            ckpt.put("optimizer/m/loss.log_sigma", NpyArray.ofFloat64(new double[full ? 4 : 3], full ? 4 : 3));
            Files.createDirectories(r.resolve("checkpoint"));
            Npz.write(r.resolve("checkpoint").resolve("last.ckpt"), ckpt, false);
            Files.writeString(r.resolve(RunFiles.SCORES), "case,modality,dsc,nsd\na,MR,0.5,0.5\nb,CT,0.6,0.6\n");
            if (full) { // baseline's run.json predates the field
                Files.writeString(r.resolve("run.json"), "{\"validation_samples\": 36}");
            }
        }
        RunsDirectory runs = RunsDirectory.read(dir);
        Table t = ProtocolTable.of(runs, null);
        assertThat(t.columnNames()).containsExactly("Item", "baseline", "full");
        Map<String, Integer> row = new LinkedHashMap<>();
        for (int i = 0; i < t.rowCount(); i++) {
            row.put(t.stringColumn("Item").get(i), i);
        }
        assertThat(t.stringColumn("full").get(row.get("Seeds"))).isEqualTo("0, 1");
        assertThat(t.stringColumn("full").get(row.get("SAM"))).isEqualTo("yes, rho 0.05");
        assertThat(t.stringColumn("baseline").get(row.get("SAM"))).isEqualTo("no");
        assertThat(t.stringColumn("full").get(row.get("Loss terms"))).isEqualTo("dice + bce + iou + sd");
        assertThat(t.stringColumn("full").get(row.get("Trained parameters (from checkpoint)"))).isEqualTo("16 + 4 log sigma");
        // baseline has no sigmas: neither a sigma rate nor sigmas in its trained group
        assertThat(t.stringColumn("baseline").get(row.get("Learning rate (log sigma)"))).isEqualTo("–");
        assertThat(t.stringColumn("baseline").get(row.get("Trained parameter group"))).isEqualTo("mask decoder");
        assertThat(t.stringColumn("full").get(row.get("Trained parameter group"))).isEqualTo("mask decoder and log sigmas");
        assertThat(t.stringColumn("full").get(row.get("Learning rate (log sigma)"))).isEqualTo("0.01");
        assertThat(t.stringColumn("full").get(row.get("Steps done"))).isEqualTo("3");
        assertThat(t.stringColumn("full").get(row.get("Steps per epoch (first epoch)"))).isEqualTo("2");
        assertThat(t.stringColumn("full").get(row.get("Training images per epoch (steps x batch)"))).isEqualTo("4");
        assertThat(t.stringColumn("full").get(row.get("Cases: test (scored)"))).isEqualTo("2");
        assertThat(t.stringColumn("full").get(row.get("Validation samples per epoch"))).isEqualTo("36");
        assertThat(t.stringColumn("baseline").get(row.get("Validation samples per epoch"))).isEqualTo("not recorded");
        Table withCounts = ProtocolTable.of(runs, Map.of("train", Map.of("MR 2D", 4, "CT 3D", 2)));
        assertThat(withCounts.stringColumn("Item").asList()).contains("Cases: train");
        assertThat(TableRenderer.latex(t, "protocol", "tab:protocol")).contains("\\toprule");
    }
}
