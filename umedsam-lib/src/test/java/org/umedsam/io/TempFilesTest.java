package org.umedsam.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.umedsam.io.AtomicFiles;

/** Atomically written files get the permissions of a normally created file, not {@code createTempFile}'s 0600. */
class TempFilesTest {

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void atomicWritesHaveTheModeOfANormallyCreatedFile(@TempDir Path dir) throws IOException {
        String normal = mode(Files.createFile(dir.resolve("plain.txt")));
        Path npz = dir.resolve("last.ckpt");
        Npz.write(npz, Map.of("a", NpyArray.ofUint8(new byte[] {1, 2}, 2)), false);
        Path pth = dir.resolve("model.pth");
        PthCheckpoint.write(pth, Map.of("w", Nd4j.ones(2, 2)));
        Path json = dir.resolve("run.json");
        AtomicFiles.writeString(json, "{}\n");
        Path tmp = TempFiles.createSibling(dir, ".x.", ".tmp");
        for (Path p : new Path[] {npz, pth, json, tmp}) {
            assertThat(mode(p)).as(p.toString()).isEqualTo(normal);
        }
        assertThat(tmp.getFileName().toString()).matches("\\.x\\.\\d+\\.tmp");
    }
}
