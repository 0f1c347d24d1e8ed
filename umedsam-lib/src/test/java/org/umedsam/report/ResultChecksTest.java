package org.umedsam.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultChecksTest {
    /** A run folder with {@code steps} losses, an optional sigma column and per-case DSC of modality "CT". */
    static void run(Path runs, String name, double[] loss, double[] sigma, double... dsc) throws IOException {
        Path dir = runs.resolve(name);
        Files.createDirectories(dir);
        StringBuilder steps = new StringBuilder("step,loss_total,loss_dice" + (sigma == null ? "" : ",sigma_dice") + "\n");
        for (int i = 0; i < loss.length; i++) {
            steps.append(i + 1).append(',').append(loss[i]).append(',').append(loss[i]);
            if (sigma != null) {
                steps.append(',').append(sigma[i]);
            }
            steps.append('\n');
        }
        Files.writeString(dir.resolve("steps.csv"), steps);
        StringBuilder scores = new StringBuilder("case,modality,dsc,nsd\n");
        for (int i = 0; i < dsc.length; i++) {
            scores.append("c").append(i).append(",CT,").append(dsc[i]).append(',').append(dsc[i]).append('\n');
        }
        Files.writeString(dir.resolve(RunFiles.SCORES), scores);
    }

    static final double[] FALLING = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3};
    static final double[] MOVING = {0.99, 0.97, 0.95, 0.93, 0.9, 0.88, 0.86, 0.85};

    @Test
    void aSoundStudyHasNoWarning(@TempDir Path runs) throws IOException {
        for (String c : new String[] {"baseline", "full"}) {
            for (int s = 0; s < 2; s++) {
                run(runs, c + "-s" + s, FALLING, c.equals("full") ? MOVING : null, 0.5, 0.6, 0.7, 0.8, 0.9);
            }
        }
        ResultChecks.Warnings w = ResultChecks.check(RunsDirectory.read(runs));
        assertThat(w.messages()).isEmpty();
        assertThat(w.toString()).startsWith("result checks passed");
    }

    @Test
    void degenerateResultsAreNamed(@TempDir Path runs) throws IOException {
        double[] flatSigma = {1.0, 1.0001, 1.0002, 1.0003, 1.0004, 1.0005, 1.0006, 1.0007};
        run(runs, "full-s0", FALLING, flatSigma, 0, 0, 0);
        run(runs, "baseline-s0", new double[] {0.5, 0.5, 0.6, 0.7}, null, 0.5, Double.NaN, 0.2);
        run(runs, "baseline-s1", new double[] {0.5}, null, 0.5, 0.4, 0.2);
        ResultChecks.Warnings w = ResultChecks.check(RunsDirectory.read(runs));
        assertThat(w.messages()).anySatisfy(m -> assertThat(m).startsWith("full-s0: the sigmas moved by at most 0.07 %"))
                .anySatisfy(m -> assertThat(m).isEqualTo("full-s0 scores DSC 0 or NaN on all 3 test cases"))
                .anySatisfy(m -> assertThat(m).startsWith("baseline-s0: the training loss did not decrease"))
                .anySatisfy(m -> assertThat(m).isEqualTo("baseline-s0 has NaN DSC on 1 of 3 test cases"))
                .anySatisfy(m -> assertThat(m).isEqualTo("baseline-s1 did not train: 1 optimizer step(s)"))
                .anySatisfy(m -> assertThat(m).startsWith("full has 1 seed"))
                .anySatisfy(m -> assertThat(m).isEqualTo("CT's row rests on 3 test cases (fewer than 5)"));
        assertThat(w.messages()).noneSatisfy(m -> assertThat(m).startsWith("baseline has"));
        assertThat(w.toString()).contains("WARNING: full-s0 scores DSC 0");
        assertThat(w.toHtml()).contains("<li>").contains("degenerate");
    }

    @Test
    void aModalityAtZeroEverywhereIsNamed(@TempDir Path runs) throws IOException {
        run(runs, "full-s0", FALLING, MOVING, 0, 0, 0, 0, 0);
        run(runs, "full-s1", FALLING, MOVING, 0, 0, 0, 0, 0);
        assertThat(ResultChecks.check(RunsDirectory.read(runs)).messages()).contains("CT scores DSC 0 in every run and case");
    }
}
