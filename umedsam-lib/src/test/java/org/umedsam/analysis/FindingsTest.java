package org.umedsam.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.umedsam.report.RunFiles;
import org.umedsam.report.RunsDirectory;

class FindingsTest {
    /** A run whose dice loss settles at 0.04 (equilibrium sigma 0.2) and whose sigma ends at {@code sigmaEnd}. */
    static void run(Path runs, String name, double sigmaEnd, double... dsc) throws IOException {
        Path dir = runs.resolve(name);
        Files.createDirectories(dir);
        StringBuilder steps = new StringBuilder("step,loss_total,loss_dice,sigma_dice\n");
        for (int i = 0; i < 20; i++) {
            double t = i / 19.0;
            steps.append(i + 1).append(',').append(1.0 - 0.5 * t).append(',').append(0.04).append(',')
                    .append(1 + (sigmaEnd - 1) * t).append('\n');
        }
        Files.writeString(dir.resolve("steps.csv"), steps);
        Files.writeString(dir.resolve("config.json"), "{\"uncertaintyForm\": \"paper\"}");
        StringBuilder scores = new StringBuilder("case,modality,dsc,nsd\n");
        for (int i = 0; i < dsc.length; i++) {
            scores.append("case").append(i).append(",CT,").append(dsc[i]).append(',').append(dsc[i]).append('\n');
        }
        Files.writeString(dir.resolve(RunFiles.SCORES), scores);
    }

    @Test
    void sigmasAreComparedWithTheirEquilibriumAndTheObjectiveFall(@TempDir Path runs) throws IOException {
        run(runs, "full-s0", 0.21, 0.9, 0.1, 0.5, 0.6);
        run(runs, "full-s1", 0.21, 0.8, 0.2, 0.5, 0.6);
        RunsDirectory r = RunsDirectory.read(runs);
        String sigmas = Findings.sigmas(r).toString();
        assertThat(sigmas).contains("full, dice: sigma went from 1 to 0.210 (its equilibrium, from the mean loss over the "
                + "last fifth of the steps, is 0.200: settled within 10 %); effective weight 1/(2 sigma^2) = 11.3 instead of 0.5 (means over 2 seeds)");
        assertThat(Findings.training(r).toString()).contains("full (2 seeds, 20 steps)").contains("-4");
        assertThat(Findings.sigmas(r).toHtml()).startsWith("<p><b>What this shows");
    }

    @Test
    void casesSeparateGoodFromChallenging(@TempDir Path runs) throws IOException {
        run(runs, "full-s0", 0.5, 0.9, 0.1, 0.5, 0.6);
        String cases = Findings.cases(RunsDirectory.read(runs)).toString();
        assertThat(cases).contains("good: case0 (CT): mean DSC 90.0 % over 1 run,").contains("challenging: case1 (CT): mean DSC 10.0 %");
    }

    /** The ablation's headline is Table 3's Average (modalities weigh the same), not a mean dominated by one modality. */
    @Test
    void theAblationsMeanIsTable3sAverage(@TempDir Path runs) throws IOException {
        run(runs, "baseline-s0", 0.5);
        Files.writeString(runs.resolve("baseline-s0").resolve(RunFiles.SCORES),
                "case,modality,dsc,nsd\na,CT,0.9,0.9\nb,CT,0.9,0.9\nc,CT,0.9,0.9\nd,MR,0.1,0.1\n");
        String ablation = Findings.ablation(RunsDirectory.read(runs)).toString();
        // (0.9 + 0.1) / 2, where a mean over the four cases would say 70 %
        assertThat(ablation).contains("baseline: mean test DSC 50.00 % (each of 2 modalities weighing the same; 4 cases, 1 seed)");
    }
}
