package org.umedsam.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.umedsam.io.NpyArray;
import org.umedsam.io.Npz;

/** Every case of {@code shared/fixtures/litemedsam-preprocess} (OpenCV 4.6 + PyTorch 1.13 output). */
class PreprocessFixtureTest {
    static final Path DIR = Path.of("..", "..", "shared", "fixtures", "litemedsam-preprocess").toAbsolutePath().normalize();

    static Stream<String> cases() throws IOException {
        if (!Files.isDirectory(DIR)) {
            return Stream.of("absent");
        }
        try (Stream<Path> s = Files.list(DIR)) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npz")).sorted().toList();
            return names.stream();
        }
    }

    static Map<String, NpyArray> load(String name) throws IOException {
        assumeTrue(Files.isDirectory(DIR), "shared fixtures absent: " + DIR);
        return Npz.read(DIR.resolve(name));
    }

    static ImageU8 image(NpyArray a) {
        int[] s = a.shape();
        return new ImageU8(s[0], s[1], s.length == 3 ? s[2] : 1, a.toUint8Array());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void inputMatchesWithin1e5(String name) throws IOException {
        Map<String, NpyArray> m = load(name);
        PreparedImage p = Preprocess.defaults().prepare(image(m.get("image")));
        long[] ns = m.get("new_size").toLongArray();
        assertThat(new long[] {p.newH(), p.newW()}).as("new_size").containsExactly(ns);
        float[] expected = m.get("expected_input").toFloatArray();
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - p.chw()[i]));
        }
        assertThat(worst).as("max |diff| of expected_input").isLessThanOrEqualTo(1e-5f);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void boxMatchesExactly(String name) throws IOException {
        Map<String, NpyArray> m = load(name);
        int[] s = m.get("image").shape();
        double[] box = BoxPrompts.toModelFrame(m.get("box").toDoubleArray(), s[0], s[1]);
        assertThat(box).containsExactly(m.get("expected_box256").toDoubleArray());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void maskMatchesExactly(String name) throws IOException {
        Map<String, NpyArray> m = load(name);
        PreparedImage p = Preprocess.defaults().prepare(image(m.get("image")));
        byte[] mask = Preprocess.defaults().mask(m.get("logits").toFloatArray(), p);
        byte[] expected = m.get("expected_mask").toUint8Array();
        int diff = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += expected[i] != mask[i] ? 1 : 0;
        }
        assertThat(diff).as("pixels differing from expected_mask").isZero();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void nextSliceBoxMatchesExactly(String name) throws IOException {
        Map<String, NpyArray> m = load(name);
        int[] s = m.get("mask").shape();
        double[] box = BoxPrompts.nextSliceBox(m.get("mask").toUint8Array(), s[0], s[1]);
        assertThat(box).containsExactly(m.get("expected_mask_box256").toDoubleArray());
    }
}
