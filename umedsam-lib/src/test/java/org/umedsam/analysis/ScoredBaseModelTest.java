package org.umedsam.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The base-model folder's scores count as the profile's base model's only when their record names its weights. */
class ScoredBaseModelTest {

    @Test
    void aRecordIsTheWeightsFilesDigestAndReadsBackEqual(@TempDir Path dir) throws IOException {
        Path weights = dir.resolve("w.npz");
        Files.write(weights, "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ScoredBaseModel r = ScoredBaseModel.of(weights.toString());
        // SHA-256("abc"), FIPS 180-2 appendix B.1
        assertThat(r.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(r.model()).isEqualTo(weights.toString());

        Path folder = dir.resolve("base-model");
        Files.createDirectories(folder);
        assertThat(ScoredBaseModel.read(folder)).isEmpty();
        r.write(folder);
        assertThat(ScoredBaseModel.read(folder)).contains(r);
    }

    @Test
    void otherWeightsUnderTheSameNameDoNotMatch(@TempDir Path dir) throws IOException {
        Path weights = dir.resolve("w.npz");
        Files.writeString(weights, "abc");
        ScoredBaseModel before = ScoredBaseModel.of(weights.toString());
        Files.writeString(weights, "abd");
        assertThat(ScoredBaseModel.of(weights.toString())).isNotEqualTo(before);
    }

    @Test
    void aDamagedRecordCountsAsNone(@TempDir Path dir) throws IOException {
        for (String text : new String[] {"", "{", "[]", "{\"model\": \"m\"}", "{\"model\": \"m\", \"sha256\": \"xyz\"}"}) {
            Files.writeString(dir.resolve(ScoredBaseModel.FILE), text);
            assertThat(ScoredBaseModel.read(dir)).as(text).isEqualTo(Optional.empty());
        }
    }

    @Test
    void aMissingModelIsOneLineNamingIt(@TempDir Path dir) {
        assertThatThrownBy(() -> ScoredBaseModel.of(dir.resolve("none.npz").toString()))
                .isInstanceOf(IOException.class).hasMessageContaining("none.npz");
        assertThatThrownBy(() -> new ScoredBaseModel("m", "ABC")).isInstanceOf(IllegalArgumentException.class);
    }
}
