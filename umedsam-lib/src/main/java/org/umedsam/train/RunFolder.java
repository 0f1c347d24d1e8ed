package org.umedsam.train;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder of one run, {@code runs/<run-name>/}:
 * {@code config.json}, {@code run.json}, {@code steps.csv}, {@code epochs.csv},
 * {@code checkpoint/last.ckpt} and {@code checkpoint/best.ckpt}. An existing folder is never
 * reused silently: a new run gets the first free name {@code <name>-2}, {@code <name>-3}, ...
 */
public final class RunFolder {
    public static final String CONFIG = "config.json";
    public static final String RUN = "run.json";
    public static final String CHECKPOINT_DIR = "checkpoint";
    public static final String LAST = "last.ckpt";
    public static final String BEST = "best.ckpt";

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Creates a fresh folder under {@code runsDir} named {@code name}, or {@code name-K} if taken. */
    public static RunFolder createFresh(Path runsDir, String name) throws IOException {
        Files.createDirectories(runsDir);
        for (int k = 1; k < 10_000; k++) {
            Path candidate = runsDir.resolve(k == 1 ? name : name + "-" + k);
            try {
                Files.createDirectory(candidate);
                Files.createDirectories(candidate.resolve(CHECKPOINT_DIR));
                return new RunFolder(candidate);
            } catch (FileAlreadyExistsException e) {
                // taken: try the next suffix
            }
        }
        throw new IOException(runsDir + ": no free run folder name for '" + name + "'");
    }

    /** An existing run folder to resume; it must hold {@code checkpoint/last.ckpt}. */
    public static RunFolder existing(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve(CHECKPOINT_DIR).resolve(LAST))) {
            throw new IOException(dir + ": cannot resume, no " + CHECKPOINT_DIR + "/" + LAST);
        }
        return new RunFolder(dir);
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path runInfo() {
        return dir.resolve(RUN);
    }

    public Path lastCheckpoint() {
        return dir.resolve(CHECKPOINT_DIR).resolve(LAST);
    }

    public Path bestCheckpoint() {
        return dir.resolve(CHECKPOINT_DIR).resolve(BEST);
    }
}
