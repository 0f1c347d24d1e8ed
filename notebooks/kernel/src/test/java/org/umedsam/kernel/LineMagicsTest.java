package org.umedsam.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineMagicsTest {
    private final List<String> calls = new ArrayList<>();
    private final LineMagics magics = new LineMagics()
            .register("jars", args -> calls.add("jars " + args))
            .register("classpath", args -> calls.add("classpath " + args));

    @Test
    void magicLinesRunInOrderAndLeaveTheJavaCode() throws Exception {
        String code = magics.apply("%jars a.jar \"dir with space/*\"\nint x = 1;\n%classpath classes\nx + 1");

        assertThat(calls).containsExactly("jars [a.jar, dir with space/*]", "classpath [classes]");
        assertThat(code).doesNotContain("%").contains("int x = 1;").contains("x + 1");
    }

    @Test
    void percentInsideJavaIsNotAMagic() throws Exception {
        String code = "int r = 7 % 3;";

        assertThat(magics.apply(code)).isEqualTo(code);
        assertThat(calls).isEmpty();
    }

    @Test
    void unknownMagicsAndCellMagicsAreErrors() {
        assertThatThrownBy(() -> magics.apply("%maven foo:bar:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown line magic %maven").hasMessageContaining("%jars");
        assertThatThrownBy(() -> magics.apply("%%time\n1 + 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cell magic %%time");
    }

    @Test
    void aMagicsOwnFailurePropagates() {
        LineMagics failing = new LineMagics().register("jars", args -> {
            throw new java.io.IOException("no such jar " + args.get(0));
        });

        assertThatThrownBy(() -> failing.apply("%jars x.jar"))
                .isInstanceOf(java.io.IOException.class).hasMessage("no such jar x.jar");
    }
}
