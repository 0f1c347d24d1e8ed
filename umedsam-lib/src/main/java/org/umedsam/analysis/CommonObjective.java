package org.umedsam.analysis;

import java.util.List;
import org.umedsam.loss.CompositeLoss;
import org.umedsam.loss.FixedWeightedLoss;
import org.umedsam.loss.Losses;

/**
 * The one objective every run's loss landscape and sharpness are measured on, whatever loss the run
 * trained with: Dice + BCE + IoU-head loss at unit weights, the baseline's (LiteMedSAM's) fixed-weight
 * objective.
 *
 * <p>Why this one: landscapes of different configurations can only be compared on one function.
 * Each configuration's own objective differs in kind, not only in value: the uncertainty-weighted
 * ones carry each run's own learned sigmas (and their {@code log sigma} terms, a run-dependent
 * constant), and the shape-distance term exists only in some configurations and has another scale.
 * The three terms here are the ones every configuration trains on, the segmentation quality the
 * ablation compares; unit weights are what the baseline minimises, so its landscape stays the one
 * it was trained on, and the others are read as "the same segmentation loss, around weights that
 * another objective found". The unweighted Dice + BCE without the IoU term would drop the IoU head,
 * which every configuration also trains; with it the whole trained mask decoder is measured.
 */
public final class CommonObjective {
    /** The terms, in {@link Losses} names. */
    public static final List<String> TERMS = List.of("dice", "bce", "iou");

    /** How the objective is named in {@code sharpness.json} and in figure labels. */
    public static final String NAME = "dice + bce + iou (unit weights)";

    private CommonObjective() {
    }

    /** A fresh instance of the objective (no log-sigmas). */
    public static CompositeLoss loss() {
        return FixedWeightedLoss.unitWeights(Losses.byNames(TERMS));
    }
}
