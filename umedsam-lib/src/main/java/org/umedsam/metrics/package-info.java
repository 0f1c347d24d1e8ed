/**
 * Scores, sixth in data -> model -> loss -> optim -> train -> metrics -> report: the CVPR 2024 "MedSAM on
 * Laptop" evaluation in Java, DSC ({@link org.umedsam.metrics.Dice}: NaN when both masks are empty, the
 * toolkit's one Dice, also the trainer's validation DSC) and NSD ({@link org.umedsam.metrics.SurfaceDice})
 * following DeepMind's surface-distance code, per case ({@link org.umedsam.metrics.CaseScore}), per folder
 * ({@link org.umedsam.metrics.ChallengeEvaluation}) and aggregated ({@link org.umedsam.metrics.MetricTable}).
 *
 * <p>Depends on {@code io}, {@code data} (case files) and {@code geometry} only, so {@code train} may use it.
 */
package org.umedsam.metrics;
