/**
 * Figures of the research notebooks (after report in data -> model -> loss -> optim -> train -> metrics ->
 * report; draws from report's tables, and of the rest of umedsam uses only {@code io.AtomicFiles} and
 * {@code io.TempFiles} to write files atomically), one class per kind of figure (XChart charts and plain
 * images), written by {@link org.umedsam.viz.FigureWriter} (atomically, files rw-r--r--) and
 * collected per runs folder by {@link org.umedsam.viz.PaperFigures}.
 *
 * <p>House rules every figure keeps: {@link org.umedsam.viz.ChartStyle} for fonts and layout and
 * round ticks ({@link org.umedsam.viz.ChartStyle#roundXTicks}; log axes only where they carry
 * three labelled decades); one {@link org.umedsam.viz.Palette#configuration colour per ablation
 * configuration} in every figure; several seeds drawn as their mean with a band or a dot per seed;
 * axes that include the reference values (0..100 % for scores, sigma's start and equilibrium) so
 * nothing small is magnified; the sizes written H×W (D×H×W for volumes).
 */
package org.umedsam.viz;
