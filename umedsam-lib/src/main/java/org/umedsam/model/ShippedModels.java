package org.umedsam.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.umedsam.io.Checkout;

/**
 * Models shipped with the toolkit under {@code models/} (each {@code NAME.npz}, a {@link LiteMedSam#save}
 * file, described in {@code models/README.md}), loaded by name wherever a weights file is asked for:
 * {@code --initial-weights small-base}, {@code umedsam infer --checkpoint small-base}.
 *
 * <p>The folder is the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV}, else the {@code models/} folder of the toolkit's checkout ({@link Checkout#root()}: the one at or
 * above the working directory, else the one the running jar or classes lie in).
 */
public final class ShippedModels {
    /** The pre-trained {@code small} preset base model (see {@code models/README.md}). */
    public static final String SMALL_BASE = "small-base";
    /** {@link #SMALL_BASE} trained 3000 steps more, the base model the ablation profiles fine-tune. */
    public static final String SMALL_BASE_CONTINUED = "small-base-continued";
    /** System property naming the models folder. */
    public static final String PROPERTY = "umedsam.models";
    /** Environment variable naming the models folder. */
    public static final String ENV = "UMEDSAM_MODELS";
    private static final String EXTENSION = ".npz";
    /** The models folder's name in the checkout. */
    private static final String FOLDER = "models";

    private ShippedModels() {
    }

    /** The models folder, if one is configured or found. */
    public static Optional<Path> folder() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(ENV);
        }
        if (p != null && !p.isBlank()) {
            return Optional.of(Path.of(p));
        }
        return Checkout.root().map(r -> r.resolve(FOLDER)).filter(Files::isDirectory);
    }

    /** Names of the shipped models found in {@link #folder()}, sorted. */
    public static List<String> names() {
        Optional<Path> f = folder();
        if (f.isEmpty() || !Files.isDirectory(f.get())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(f.get())) {
            List<String> out = new ArrayList<>();
            s.map(x -> x.getFileName().toString()).filter(n -> n.endsWith(EXTENSION)).sorted()
                    .forEach(n -> out.add(n.substring(0, n.length() - EXTENSION.length())));
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Whether {@code s} has the form of a shipped model's name (letters, digits, '-', no path, no extension). */
    public static boolean isName(String s) {
        return s != null && s.matches("[A-Za-z0-9][A-Za-z0-9-]*");
    }

    /**
     * {@code fileOrName} itself when it is an existing file, else the shipped model of that name.
     *
     * @throws IOException naming what was looked for and where, when neither exists
     */
    public static Path resolve(Path fileOrName) throws IOException {
        if (Files.isRegularFile(fileOrName)) {
            return fileOrName;
        }
        String s = fileOrName.toString();
        if (isName(s)) {
            Optional<Path> f = folder();
            if (f.isPresent()) {
                Path p = f.get().resolve(s + EXTENSION);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
            throw new IOException(s + ": no such weights file, and no shipped model of that name in "
                    + f.map(Path::toString).orElse("(no models folder: set -D" + PROPERTY + " or " + ENV + ")")
                    + " (shipped: " + names() + ")");
        }
        throw new IOException(fileOrName + ": no such weights file");
    }

    /**
     * What a command's weights option names: the shipped model when {@code fileOrName} is a model's name and no
     * file of that name exists (as {@link #resolve}, whose error says what is shipped), else {@code fileOrName}
     * unchanged, for the caller to check as a file with its own message.
     */
    public static Path locate(Path fileOrName) throws IOException {
        return isName(fileOrName.toString()) && !Files.exists(fileOrName) ? resolve(fileOrName) : fileOrName;
    }

    /** The shipped model {@code name} loaded. */
    public static LiteMedSam load(String name) throws IOException {
        return LiteMedSam.load(resolve(Path.of(name)));
    }
}
