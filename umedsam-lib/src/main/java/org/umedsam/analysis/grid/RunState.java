package org.umedsam.analysis.grid;

import java.nio.file.Files;
import java.nio.file.Path;
import org.umedsam.report.RunFiles;
import org.umedsam.train.RunFolder;

/** How far a run folder got, read from its files: what a (re-)submitted grid skips, resumes or starts. */
public enum RunState {
    /** No folder. */
    NOT_STARTED,
    /** A folder without a checkpoint (killed in its first epoch): trained again from the start. */
    STARTED,
    /** A checkpoint but no scores: resumed from the checkpoint, then scored. */
    CHECKPOINTED,
    /** Scored ({@code scores.csv}): never trained again. */
    FINISHED;

    public static RunState of(Path runDir) {
        if (Files.isRegularFile(runDir.resolve(RunFiles.SCORES))) {
            return FINISHED;
        }
        if (Files.isRegularFile(runDir.resolve(RunFolder.CHECKPOINT_DIR).resolve(RunFolder.LAST))) {
            return CHECKPOINTED;
        }
        return Files.isDirectory(runDir) ? STARTED : NOT_STARTED;
    }
}
