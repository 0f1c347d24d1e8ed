package org.umedsam.report;

/**
 * Names of the evaluation and analysis files an ablation run folder holds beside the trainer's
 * records (config.json, run.json, steps.csv, epochs.csv, checkpoint/):
 * <pre>
 * scores.csv                 case,modality,dsc,nsd                 test-split score per case
 * timings.csv                case,modality,size,objects,seconds    inference time per case
 * landscape/line.csv         alpha,loss                            1D slice (LandscapeLine)
 * landscape/surface.csv      alpha,beta,loss                       2D slice (LandscapeSurface)
 * landscape/sharpness.json   rho, loss, increases                  LossLandscape.Sharpness
 * examples/index.csv         case,modality,dsc,file                qualitative examples
 * examples/&lt;case&gt;.npz        image, truth, prediction, box         (QualitativeExample)
 * </pre>
 */
public final class RunFiles {
    public static final String SCORES = "scores.csv";
    public static final String TIMINGS = "timings.csv";
    public static final String LANDSCAPE_DIR = "landscape";
    public static final String LINE = "line.csv";
    public static final String SURFACE = "surface.csv";
    public static final String SHARPNESS = "sharpness.json";
    public static final String EXAMPLES_DIR = "examples";
    public static final String EXAMPLES_INDEX = "index.csv";

    private RunFiles() {
    }
}
