package org.umedsam.analysis;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.umedsam.io.AtomicFiles;
import org.umedsam.io.Sha256;
import org.umedsam.model.ShippedModels;

/**
 * Which weights a study's {@code base-model} scores describe: the model's name as the profile gave it and the
 * SHA-256 of its weights file, kept as {@value #FILE} beside the scores. The scores are reused only when both
 * match, so a runs folder made from another base model (an older default, a retrained shipped file) is scored
 * again instead of standing in Table 3 for a model it did not measure.
 *
 * @param model  the base model as the profile names it ({@code small-base-continued}, or a weights file)
 * @param sha256 lower-case hex SHA-256 of the weights file's bytes
 */
public record ScoredBaseModel(String model, String sha256) {
    /** The record's file name in the base-model folder. */
    public static final String FILE = "model.json";

    public ScoredBaseModel {
        if (model == null || model.isBlank() || sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("need a model name and a 64-digit lower-case hex SHA-256, got '" + model
                    + "' and '" + sha256 + "'");
        }
    }

    /** The record of {@code model} (a shipped model's name or a weights file) as it is on disk now. */
    public static ScoredBaseModel of(String model) throws IOException {
        Path file = ShippedModels.resolve(Path.of(model));
        return new ScoredBaseModel(model, Sha256.ofFile(file));
    }

    /**
     * The record in {@code dir}, if there is one that reads; empty for a folder written before records were kept
     * (or a damaged record), which then counts as another model's.
     */
    public static Optional<ScoredBaseModel> read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
            return Optional.of(new ScoredBaseModel(o.get("model").getAsString(), o.get("sha256").getAsString()));
        } catch (IOException | JsonParseException | IllegalStateException | NullPointerException
                 | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Writes this record into {@code dir} (atomically). */
    public void write(Path dir) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("model", model);
        o.addProperty("sha256", sha256);
        AtomicFiles.writeString(dir.resolve(FILE), o + "\n");
    }
}
