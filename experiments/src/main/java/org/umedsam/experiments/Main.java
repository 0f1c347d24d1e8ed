package org.umedsam.experiments;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code umedsam} command-line tool (one runnable jar, {@code experiments/target/umedsam.jar}).
 * Every subcommand is its own class, registered in {@code subcommands} below, and answers
 * {@code --help}.
 */
@Command(name = "umedsam",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "U-MedSAM toolkit: promptable medical image segmentation (LiteMedSAM) in Java.",
        subcommands = {
                TrainCommand.class,
                PretrainCommand.class,
                EvaluateCommand.class,
                InferCommand.class,
                ExportCommand.class,
                ConvertCommand.class,
                ToNiftiCommand.class,
                AblationsCommand.class,
                FiguresCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "On an error print the full stack trace, not only the one-line message.")
    boolean debug;

    public static void main(String[] args) {
        // before anything loads ND4J's native library, which reads the policy once
        org.umedsam.model.cpu.OpenMpWaitPolicy.preferPassive();
        // ND4J's start-up report (backend, BLAS, build flags: a dozen INFO lines) only with --debug
        String nd4jLog = "org.slf4j.simpleLogger.log.org.nd4j";
        if (System.getProperty(nd4jLog) == null && !java.util.Arrays.asList(args).contains("--debug")) {
            System.setProperty(nd4jLog, "warn");
        }
        System.exit(commandLine(args).execute(args));
    }

    /** The configured command line (tests call {@code execute} on it with their own writers). */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line with its one exception handler ({@link CliErrors}): one line and exit code 2
     * for bad input, the stack trace only when {@code args} hold {@code --debug}.
     */
    static CommandLine commandLine(String[] args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CliErrors errors = new CliErrors(debug);
        return new CommandLine(new Main())
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Version from the jar manifest when packaged, else "development". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"umedsam " + (v == null ? "development" : v)};
        }
    }
}
