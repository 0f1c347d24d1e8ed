package org.umedsam.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code .pth} export is loaded by real PyTorch with {@code load_state_dict(strict=True)}: the
 * perturbed upstream checkpoint is imported, exported again, and a PyTorch module with the upstream
 * state dict's names and shapes must accept the export and hold the upstream values bit for bit.
 * Skips when the parity fixtures or a Python with {@code torch} (Debian: python3-torch) are absent.
 */
class PthExportTorchTest {

    @Test
    void exportLoadsStrictlyInPyTorch(@TempDir Path dir) throws Exception {
        Path reference = LiteMedSamParityTest.DIR.resolve("litemedsam_perturbed.pth");
        assumeTrue(Files.isRegularFile(reference), "parity fixture absent: " + reference.toAbsolutePath());
        String python = pythonWithTorch(dir);
        assumeTrue(python != null, "no python3 with torch (Debian: python3-torch; or set UMEDSAM_PYTHON)");

        Path exported = dir.resolve("exported.pth");
        LiteMedSam.fromPth(reference).exportPth(exported);
        Path script = dir.resolve("check_strict_load.py");
        try (InputStream in = getClass().getResourceAsStream("/torch/check_strict_load.py")) {
            Files.copy(in, script);
        }
        Result r = run(dir, python, script.toString(), reference.toAbsolutePath().toString(), exported.toString());
        System.out.print(r.output);
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("all 435 tensors equal the reference");
    }

    /** The first of $UMEDSAM_PYTHON, python3 on PATH, Debian's /usr/bin/python3 that imports torch. */
    private static String pythonWithTorch(Path dir) throws IOException, InterruptedException {
        for (String p : new String[]{System.getenv("UMEDSAM_PYTHON"), "python3", "/usr/bin/python3"}) {
            if (p != null && !p.isBlank()) {
                try {
                    if (run(dir, p, "-c", "import torch").exit == 0) {
                        return p;
                    }
                } catch (IOException notThere) {
                    // try the next one
                }
            }
        }
        return null;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(timed out)");
        }
        return new Result(p.exitValue(), out);
    }
}
