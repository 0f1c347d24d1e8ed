package org.umedsam.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.umedsam.io.AtomicFiles;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * A run's per-step and per-epoch records, kept as Tablesaw tables and written as CSV (atomically)
 * into the run folder:
 * <ul>
 *   <li>{@code steps.csv}: {@code step,epoch,lr,grad_norm,loss_total,loss_<term>...,sigma_<term>...,seconds}
 *       ({@code sigma} columns only for uncertainty weighting; sigma = exp(s) after the step; the
 *       losses are those of the step's first pass, at the weights before the update);</li>
 *   <li>{@code epochs.csv}: {@code epoch,train_loss,val_loss,val_dsc,lr,seconds} (empty validation
 *       cells when there is no validation split; lr after the scheduler's step).</li>
 * </ul>
 */
public final class RunRecord {
    public static final String STEPS_FILE = "steps.csv";
    public static final String EPOCHS_FILE = "epochs.csv";

    private final Path dir;
    private final List<String> terms;
    private final boolean sigmas;
    private final Table steps;
    private final Table epochs;

    public RunRecord(Path dir, List<String> terms, boolean sigmas) {
        this.dir = dir;
        this.terms = List.copyOf(terms);
        this.sigmas = sigmas;
        this.steps = Table.create("steps");
        steps.addColumns(LongColumn.create("step"), IntColumn.create("epoch"), DoubleColumn.create("lr"),
                DoubleColumn.create("grad_norm"), DoubleColumn.create("loss_total"));
        for (String t : terms) {
            steps.addColumns(DoubleColumn.create("loss_" + t));
        }
        if (sigmas) {
            for (String t : terms) {
                steps.addColumns(DoubleColumn.create("sigma_" + t));
            }
        }
        steps.addColumns(DoubleColumn.create("seconds"));
        this.epochs = Table.create("epochs");
        epochs.addColumns(IntColumn.create("epoch"), DoubleColumn.create("train_loss"), DoubleColumn.create("val_loss"),
                DoubleColumn.create("val_dsc"), DoubleColumn.create("lr"), DoubleColumn.create("seconds"));
    }

    /**
     * Reopens the records of an interrupted run, keeping the steps up to {@code lastStep} and the
     * epochs before {@code completedEpochs} (rows written after the checkpoint are dropped, since
     * the resumed run writes them again).
     */
    public static RunRecord resume(Path dir, List<String> terms, boolean sigmas, long lastStep, int completedEpochs)
            throws IOException {
        RunRecord r = new RunRecord(dir, terms, sigmas);
        Path s = dir.resolve(STEPS_FILE);
        if (Files.isRegularFile(s)) {
            Table old = Table.read().usingOptions(CsvReadOptions.builder(s.toFile()).columnTypes(types(r.steps)));
            checkHeader(s, old, r.steps);
            r.steps.append(old.where(old.longColumn("step").isLessThanOrEqualTo(lastStep)));
        }
        Path e = dir.resolve(EPOCHS_FILE);
        if (Files.isRegularFile(e)) {
            Table old = Table.read().usingOptions(CsvReadOptions.builder(e.toFile()).columnTypes(types(r.epochs)));
            checkHeader(e, old, r.epochs);
            r.epochs.append(old.where(old.intColumn("epoch").isLessThan(completedEpochs)));
        }
        return r;
    }

    private static ColumnType[] types(Table t) {
        return t.columns().stream().map(c -> c.type()).toArray(ColumnType[]::new);
    }

    private static void checkHeader(Path file, Table read, Table expected) throws IOException {
        if (!read.columnNames().equals(expected.columnNames())) {
            throw new IOException(file + ": columns " + read.columnNames() + " do not match this run's "
                    + expected.columnNames());
        }
    }

    public void addStep(long step, int epoch, double lr, double gradNorm, double total, Map<String, Double> values,
                        double[] sigmaValues, double seconds) {
        steps.longColumn("step").append(step);
        steps.intColumn("epoch").append(epoch);
        steps.doubleColumn("lr").append(lr);
        steps.doubleColumn("grad_norm").append(gradNorm);
        steps.doubleColumn("loss_total").append(total);
        for (String t : terms) {
            steps.doubleColumn("loss_" + t).append(values.get(t));
        }
        if (sigmas) {
            for (int i = 0; i < terms.size(); i++) {
                steps.doubleColumn("sigma_" + terms.get(i)).append(sigmaValues[i]);
            }
        }
        steps.doubleColumn("seconds").append(seconds);
    }

    public void addEpoch(int epoch, double trainLoss, double valLoss, double valDsc, double lr, double seconds) {
        epochs.intColumn("epoch").append(epoch);
        epochs.doubleColumn("train_loss").append(trainLoss);
        appendOrMissing(epochs.doubleColumn("val_loss"), valLoss);
        appendOrMissing(epochs.doubleColumn("val_dsc"), valDsc);
        epochs.doubleColumn("lr").append(lr);
        epochs.doubleColumn("seconds").append(seconds);
    }

    private static void appendOrMissing(DoubleColumn c, double v) {
        if (Double.isNaN(v)) {
            c.appendMissing();
        } else {
            c.append(v);
        }
    }

    /** Writes both CSV files atomically. */
    public void flush() throws IOException {
        write(steps, dir.resolve(STEPS_FILE));
        write(epochs, dir.resolve(EPOCHS_FILE));
    }

    private static void write(Table t, Path file) throws IOException {
        Path tmp = AtomicFiles.temporarySibling(file);
        try {
            t.write().csv(tmp.toFile());
            AtomicFiles.commit(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public Table steps() {
        return steps;
    }

    public Table epochs() {
        return epochs;
    }

    /** Column names of steps.csv for these terms. */
    public List<String> stepColumns() {
        return new ArrayList<>(steps.columnNames());
    }
}
