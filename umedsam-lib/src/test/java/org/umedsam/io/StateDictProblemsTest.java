package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateDictProblemsTest {

    @Test
    void theMessageListsAtMostSoManyProblemsAndCountsThemAll() {
        StateDictProblems p = new StateDictProblems(List.of("missing key 'a'", "unexpected key 'b'", "missing key 'c'"));
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.first()).isEqualTo("missing key 'a'");
        assertThat(p.message("m.pth", "the model", 3))
                .isEqualTo("m.pth: state dict does not match the model: 3 problem(s): missing key 'a'; unexpected key 'b';"
                        + " missing key 'c'");
        assertThat(p.message("m.pth", "the model", 2))
                .isEqualTo("m.pth: state dict does not match the model: 3 problem(s): missing key 'a'; unexpected key 'b';"
                        + " ...");
    }

    @Test
    void keepsItsOwnCopyAndNeedsAProblem() {
        List<String> lines = new ArrayList<>(List.of("missing key 'a'"));
        StateDictProblems p = new StateDictProblems(lines);
        lines.add("missing key 'b'");
        assertThat(p.count()).isEqualTo(1);
        assertThatThrownBy(() -> new StateDictProblems(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.message("m.pth", "the model", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
