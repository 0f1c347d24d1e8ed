package org.umedsam.analysis.grid;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A short external command (sbatch, squeue, sacct) run to its end with its output captured.
 *
 * @param code   exit status
 * @param stdout standard output
 * @param stderr standard error
 */
record Command(int code, String stdout, String stderr) {
    /** Output kept per stream: a scheduler listing a whole cluster's queue stays bounded in memory. */
    private static final int MAX_CHARS = 8 << 20;

    /** Runs {@code args}; an executable that cannot be started is an IOException naming it. */
    static Command run(List<String> args) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(args).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + args.get(0) + " (is it installed and on the PATH?): " + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", args) + ": no answer within 120 s");
        }
        return new Command(p.exitValue(), out.join(), err.join());
    }

    /** {@link #run}, failing with the command's error output unless it exits with 0. */
    static String check(List<String> args) throws IOException, InterruptedException {
        Command c = run(args);
        if (c.code != 0) {
            throw new IOException(String.join(" ", args) + " failed (exit " + c.code + "): " + c.lastErrorLine());
        }
        return c.stdout;
    }

    /** The last non-blank line of standard error: what a SLURM command says last is why it failed. */
    String lastErrorLine() {
        String[] lines = stderr.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static String read(InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(MAX_CHARS);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
