package org.umedsam.report;

/**
 * Names of the evaluation and analysis files an ablation run folder holds beside the trainer's
 * records (config.json, run.json, steps.csv, epochs.csv, checkpoint/):
 * <pre>
 * scores.csv                 case,modality,dsc,nsd                 test-split score per case
 * timings.csv                case,modality,size,objects,seconds    inference time per case
 * landscape-common/line-&lt;k&gt;.csv     alpha,loss              1D slice along pair k's first direction
 * landscape-common/surface-&lt;k&gt;.csv  alpha,beta,loss         2D slice of direction pair k (k = 0, 1, ...)
 * landscape-common/sharpness.json rho, loss, increases,   LossLandscape.Sharpness on the common
 *                                 runObjectiveLoss, ...   objective, plus the grid it was made with
 * examples/index.csv         case,modality,dsc,file                qualitative examples
 * examples/&lt;case&gt;.npz        image, truth, prediction, box         (QualitativeExample)
 * </pre>
 *
 * <p>Landscapes are evaluated on {@code analysis.CommonObjective}, the same objective for every run.
 * Folders written before that (a {@code landscape/} folder with {@code line.csv}, {@code surface.csv}
 * and {@code sharpness.json}, on each run's own objective, one direction pair) are not read any
 * more: the folder name was bumped so such a landscape is recomputed, never mixed with the new ones.
 */
public final class RunFiles {
    public static final String SCORES = "scores.csv";
    public static final String TIMINGS = "timings.csv";
    public static final String LANDSCAPE_DIR = "landscape-common";
    public static final String SHARPNESS = "sharpness.json";
    public static final String EXAMPLES_DIR = "examples";
    public static final String EXAMPLES_INDEX = "index.csv";
    /**
     * Folder beside the runs of a study holding the base model's own test scores ({@value #SCORES}), before any
     * fine-tuning: the reference Table 3 and the per-modality bars show (not a run: it has no {@code steps.csv}).
     */
    public static final String BASE_MODEL_DIR = "base-model";

    private RunFiles() {
    }

    /** The 1D line of direction pair {@code k}: {@code line-<k>.csv}. */
    public static String line(int k) {
        return "line-" + checkPair(k) + ".csv";
    }

    /** The 2D surface of direction pair {@code k}: {@code surface-<k>.csv}. */
    public static String surface(int k) {
        return "surface-" + checkPair(k) + ".csv";
    }

    private static int checkPair(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("direction pair index must be >= 0, got " + k);
        }
        return k;
    }
}
