package org.umedsam;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.umedsam.infer.CaseInference;
import org.umedsam.io.LabelArray;
import org.umedsam.metrics.CaseName;
import org.umedsam.metrics.CaseScore;
import org.umedsam.train.Trainer;

/** Results a notebook displays print their arrays' values, not identities like {@code [D@1f3f02ee}. */
class RecordsReadInNotebooksTest {

    @Test
    void resultsPrintTheirArraysValues() {
        String output = new CaseInference.Output("c.npz", true, LabelArray.zeros(8), new int[] {2, 2, 2}, 1, 2, 2)
                .toString();
        assertThat(output).contains("[2, 2, 2]").doesNotContain("[I@");
        String score = new CaseScore(new CaseName("c.npz", false, "CT", true), new double[] {0.5, 0.25},
                new double[] {1, 0}, new double[] {1, 2}, new double[] {1, 2}, 0.375, 0.5, 1.5, 1.5).toString();
        assertThat(score).contains("classDsc=[0.5, 0.25]").doesNotContain("[D@");
        String result = new Trainer.Result(Path.of("runs/x"), 3, 1, 0.5, 0.4, new double[] {-0.5, -1}).toString();
        assertThat(result).contains("logSigmas=[-0.5, -1.0]").doesNotContain("[D@");
    }
}
