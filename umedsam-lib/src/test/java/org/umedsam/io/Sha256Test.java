package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SHA-256 fingerprints against the FIPS 180-2 example ("abc"), from bytes and from a file. */
class Sha256Test {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void fingerprintsAreTheStandardsLowerCaseHex(@TempDir Path dir) throws Exception {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertThat(Sha256.hex(Sha256.newDigest().digest(abc))).isEqualTo(ABC);
        Path f = Files.write(dir.resolve("abc.bin"), abc);
        assertThat(Sha256.ofFile(f)).isEqualTo(ABC);
    }
}
