package org.umedsam.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;

/**
 * Entry point Jupyter starts: {@code java ... org.umedsam.kernel.Main <connection-file>}. Settings
 * come from the environment (see {@link KernelSettings}).
 */
public final class Main {
    /** Held so the level set on it survives (java.util.logging keeps loggers weakly). */
    private static final Logger BASEKERNEL_LOG = Logger.getLogger("io.github.spencerpark");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp umedsam-kernel.jar " + Main.class.getName() + " <connection-file>");
            System.exit(2);
        }
        // basekernel logs every message loop start/stop at INFO; only its warnings are worth reading
        BASEKERNEL_LOG.setLevel(Level.WARNING);
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
        connection.waitUntilClose();
        // Libraries loaded by cells may leave non-daemon threads behind; the kernel's life ends here.
        System.exit(0);
    }
}
