/**
 * Tables and the files behind them, last in data -> model -> loss -> optim -> train -> metrics -> report:
 * reading run folders ({@link org.umedsam.report.RunRecords}, {@link org.umedsam.report.RunsDirectory},
 * file names in {@link org.umedsam.report.RunFiles}), summaries over seeds
 * ({@link org.umedsam.report.SeedSummary}), the paper's Tables 3 and 4, the same study at several training lengths or
 * training other parameters ({@link org.umedsam.report.StudiesSideBySide},
 * {@link org.umedsam.report.SharpnessByLengthTable}), rendering as
 * Markdown, LaTeX and
 * CSV ({@link org.umedsam.report.TableRenderer}), and the stored landscape slices and qualitative examples.
 *
 * <p>Reads what {@code train}, {@code metrics} and {@code analysis} wrote; imports {@code io} (files written
 * through {@code io.AtomicFiles}), {@code metrics.NanStatistics}, and from {@code model} only what Table 1 reports about
 * the engine ({@code VectorSupport}, {@code cpu.OpenMpWaitPolicy}). {@code viz} draws its figures from these tables.
 */
package org.umedsam.report;
