package org.umedsam.model.cpu;

import org.umedsam.BenchmarkSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.umedsam.model.LiteMedSam;
import org.umedsam.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Prints seconds per call of {@link MaskDecoder#gradients} at batch 2 (all mask_decoder.* keys) for the
 * small and LiteMedSAM presets, next to SameDiff's {@code LiteMedSam.gradientsFromEmbedding} on the same
 * inputs, with the load average. Run with
 * {@code mvn -B -o -pl umedsam-lib test -Dtest=CpuDecoderGradientBenchmark -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class CpuDecoderGradientBenchmark {

    @Test
    void gradientSpeed() throws Exception {
        int reps = Integer.getInteger("bench.reps", 7);
        for (ModelConfig c : new ModelConfig[]{ModelConfig.small(), ModelConfig.liteMedSam()}) {
            String name = c.promptEmbedDim() == 256 ? "liteMedSam" : "small";
            LiteMedSam model = LiteMedSam.create(c, 1L);
            Set<String> keys = MaskDecoderGradientAgreementTest.decoderKeys(model);
            MaskDecoderGradientAgreementTest.Inputs in = MaskDecoderGradientAgreementTest.Inputs.random(c, 2, 2L);
            System.out.printf("BENCH %s load average before: %s%n", name, BenchmarkSupport.loadAverage());
            MaskDecoder dec = MaskDecoder.of(c, model.stateDict());
            for (int i = 0; i < 3; i++) { // warm-up (JIT)
                dec.gradients(in.emb(), in.boxes(), in.gradLogits(), in.gradIou(), keys);
            }
            double[] cpu = BenchmarkSupport.sortedSeconds(0, reps, () -> dec.gradients(in.emb(), in.boxes(), in.gradLogits(), in.gradIou(), keys));
            double[] snap = BenchmarkSupport.sortedSeconds(0, reps, () -> MaskDecoder.of(c, model.stateDict()));
            model.gradientsFromEmbedding(in.emb(), in.boxes(), in.gradLogits(), in.gradIou(), keys); // graph build
            model.gradientsFromEmbedding(in.emb(), in.boxes(), in.gradLogits(), in.gradIou(), keys);
            int sdReps = Math.max(3, reps / 2);
            double[] sd = BenchmarkSupport.sortedSeconds(0, sdReps, () -> model.gradientsFromEmbedding(in.emb(), in.boxes(), in.gradLogits(), in.gradIou(), keys));
            System.out.printf("BENCH %s batch 2, %d keys: CPU gradients median of %d %.4f s per call (min %.4f); "
                            + "MaskDecoder.of %.4f s; SameDiff gradientsFromEmbedding median of %d %.4f s (min %.4f)%n",
                    name, keys.size(), reps, cpu[reps / 2], cpu[0], snap[reps / 2], sdReps, sd[sdReps / 2], sd[0]);
            System.out.printf("BENCH %s load average after: %s%n", name, BenchmarkSupport.loadAverage());
        }
    }
}
