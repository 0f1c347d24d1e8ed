package org.umedsam.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;

/**
 * Entry point Jupyter starts: {@code java ... org.umedsam.kernel.Main <connection-file>}. Settings
 * come from the environment (see {@link KernelSettings}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp umedsam-kernel.jar " + Main.class.getName() + " <connection-file>");
            System.exit(2);
        }
        quietBasekernelLogging();
        String connectionJson = Files.readString(Path.of(args[0]));
        KernelConnectionProperties properties = KernelConnectionProperties.parse(connectionJson);
        JupyterConnection connection = new JupyterConnection(properties);

        JavaKernel kernel = new JavaKernel(KernelSettings.fromEnvironment(System.getenv(), Path.of("")));
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        // Start JShell while the client is still handshaking; the first cell waits for it if needed.
        Thread warmUp = new Thread(() -> {
            try {
                kernel.start();
            } catch (Exception e) {
                System.err.println("umedsam kernel: starting JShell failed: " + e);
            }
        }, "jshell-start");
        warmUp.setDaemon(true);
        warmUp.start();
        exitWhenParentDies(System.getenv("JPY_PARENT_PID"));
        connection.waitUntilClose();
        // Libraries loaded by cells may leave non-daemon threads behind; the kernel's life ends here.
        System.exit(0);
    }

    /**
     * Jupyter clients pass their process id in {@code JPY_PARENT_PID}; if that process goes away
     * without a shutdown request (killed by a timeout, say), the kernel ends too instead of
     * lingering with its heap and native memory.
     */
    static void exitWhenParentDies(String parentPid) {
        if (parentPid == null || parentPid.isBlank()) {
            return;
        }
        java.util.Optional<ProcessHandle> parent;
        try {
            parent = ProcessHandle.of(Long.parseLong(parentPid.strip()));
        } catch (NumberFormatException e) {
            return;
        }
        if (parent.isEmpty()) {
            return;
        }
        Thread watcher = new Thread(() -> {
            parent.get().onExit().join();
            System.err.println("umedsam kernel: parent process " + parentPid.strip() + " ended; exiting");
            System.exit(1);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * basekernel logs every socket bind, loop start and message at INFO through java.util.logging,
     * under short logger names ("ShellChannel", "Loop-..."); drop its records below WARNING, keep
     * everybody else's.
     */
    static void quietBasekernelLogging() {
        Filter filter = record -> record.getLevel().intValue() >= Level.WARNING.intValue()
                || record.getSourceClassName() == null
                || !record.getSourceClassName().startsWith("io.github.spencerpark.");
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setFilter(filter);
        }
    }
}
