/**
 * The {@code umedsam} command-line tool (picocli), on top of the whole library (data -> model -> loss ->
 * optim -> train -> metrics -> report, with infer, analysis and viz): {@link org.umedsam.experiments.Main}
 * and one command class per subcommand: {@code train}, {@code pretrain}, {@code evaluate}, {@code infer},
 * {@code export}, {@code convert} (NIfTI pairs to cases), {@code ablations} (its grid steps in
 * {@code AblationTasks}) and {@code figures}.
 *
 * <p>Commands only parse options, call the library and print; bad input is a one-line error naming the
 * file and the problem ({@link org.umedsam.experiments.CliErrors}). Nothing in the library imports this
 * package.
 */
package org.umedsam.experiments;
