/**
 * Figures (XChart, PNG), after report in data -> model -> loss -> optim -> train -> metrics -> report:
 * loss curves, sigma trajectories, loss landscapes, per-modality bars, efficiency plots, overlays of
 * segmentations and preprocessing figures, in one house style ({@link org.umedsam.viz.ChartStyle},
 * {@link org.umedsam.viz.Palette}), written atomically ({@link org.umedsam.viz.FigureWriter}).
 * {@link org.umedsam.viz.PaperFigures} makes every figure and table of the notebooks from a folder of runs.
 *
 * <p>Draws from the tables of {@code report}; imports nothing else of umedsam.
 */
package org.umedsam.viz;
