package org.umedsam.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code umedsam figures} over the library's recorded (synthetic) runs folder. */
class FiguresCommandTest {
    static final Path RUNS = Path.of("..", "umedsam-lib", "src", "test", "resources", "records", "synthetic", "runs");

    @Test
    void writesTablesAndFiguresFromRunFolders(@TempDir Path tmp) throws Exception {
        System.setProperty("java.awt.headless", "true");
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("figures", "--runs", RUNS.toString(), "--out", tmp.resolve("figs").toString(),
                "--data", tmp.resolve("no-data").toString(), "--no-svg");
        assertThat(code).as(err.toString()).isZero();
        assertThat(tmp.resolve("figs").resolve("03-table3.md")).exists();
        assertThat(tmp.resolve("figs").resolve("04-sigma.png")).exists();
        assertThat(tmp.resolve("figs").resolve("04-sigma.svg")).doesNotExist();
        assertThat(Files.readString(tmp.resolve("figs").resolve("07-table4.csv"))).startsWith("Case,Modality,Size,Objects");
    }

    @Test
    void unknownProfileIsAUsageError() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("ablations", "--profile", "huge")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown profile 'huge'");
    }

    @Test
    void aProfileFromABaseModelThatIsNotShippedIsAUsageError() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("ablations", "--profile", "full-from-no-such-model", "--status")).isEqualTo(2);
        assertThat(err.toString()).contains("profile 'full-from-no-such-model': no shipped model 'no-such-model'");
    }
}
