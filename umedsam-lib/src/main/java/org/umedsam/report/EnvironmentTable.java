package org.umedsam.report;

import com.google.gson.JsonObject;
import org.umedsam.model.VectorSupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The analogue of the paper's Table 1 (its environment: system, CPU, RAM, GPU, language, framework):
 * this machine as the running JVM sees it ({@code /proc/cpuinfo}, {@code /proc/meminfo},
 * {@code /etc/os-release}, system properties, the ND4J jar's Maven metadata, the OpenMP
 * environment), and beside it what the runs recorded in their {@code run.json} (distinct values
 * over runs), since the figures may be made on another machine than the one that trained.
 */
public final class EnvironmentTable {
    private static final String ND4J_POM = "/META-INF/maven/org.nd4j/nd4j-api/pom.properties";

    private EnvironmentTable() {
    }

    /** The facts of this machine, item -> value, in display order ("unknown" when unreadable). */
    public static Map<String, String> current() {
        Map<String, String> m = new LinkedHashMap<>();
        String cpuinfo = read(Path.of("/proc/cpuinfo"));
        m.put("CPU", cpuModel(cpuinfo));
        Runtime rt = Runtime.getRuntime();
        m.put("Cores (logical, visible to the JVM)", Integer.toString(rt.availableProcessors()));
        m.put("Memory (RAM)", memTotal(read(Path.of("/proc/meminfo"))));
        m.put("JVM max heap", String.format(Locale.ROOT, "%.1f GiB", rt.maxMemory() / (double) (1L << 30)));
        m.put("GPU", "none used (CPU only)");
        String os = osRelease(read(Path.of("/etc/os-release")));
        m.put("OS", (os.isEmpty() ? "" : os + ", ") + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        m.put("ND4J", nd4jVersion());
        m.put("Threads (OMP_NUM_THREADS)", env("OMP_NUM_THREADS"));
        m.put("OMP_WAIT_POLICY", org.umedsam.model.cpu.OpenMpWaitPolicy.effective().orElse("(unset)"));
        m.put("CPU engine kernels", VectorSupport.describe());
        return m;
    }

    /**
     * Items in rows, {@code This machine} and {@code Recorded by the runs} in columns.
     *
     * @param runs the runs whose run.json to summarise, or null for this machine only
     */
    public static Table of(RunsDirectory runs) {
        return of(current(), runs == null ? List.of() : runs.runs().stream().map(RunRecords::run).toList());
    }

    /** As {@link #of(RunsDirectory)} from given facts and run.json objects (for tests). */
    static Table of(Map<String, String> machine, List<JsonObject> runJsons) {
        Map<String, String> recorded = new LinkedHashMap<>();
        recorded.put("Cores (logical, visible to the JVM)", distinct(runJsons, "available_processors"));
        recorded.put("OS", distinct(runJsons, "os"));
        recorded.put("Java", distinct(runJsons, "java_version"));
        recorded.put("ND4J", distinct(runJsons, "nd4j_version"));
        recorded.put("Threads (OMP_NUM_THREADS)", distinct(runJsons, "omp_num_threads"));
        recorded.put("CPU engine kernels", distinct(runJsons, "cpu_kernels"));
        StringColumn item = StringColumn.create("Item");
        StringColumn here = StringColumn.create("This machine");
        StringColumn runs = StringColumn.create("Recorded by the runs");
        machine.forEach((k, v) -> {
            item.append(k);
            here.append(v);
            runs.append(recorded.getOrDefault(k, "–"));
        });
        Table t = Table.create("Table 1: environment", item, here);
        if (!runJsons.isEmpty()) {
            t.addColumns(runs);
        }
        return t;
    }

    /** The first {@code model name} of a {@code /proc/cpuinfo} text, or "unknown". */
    static String cpuModel(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                return line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    /** {@code MemTotal} of a {@code /proc/meminfo} text in GiB, or "unknown". */
    static String memTotal(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                try {
                    double kib = Double.parseDouble(parts[0]);
                    return String.format(Locale.ROOT, "%.1f GiB", kib / (1 << 20));
                } catch (NumberFormatException e) {
                    return "unknown";
                }
            }
        }
        return "unknown";
    }

    /** {@code PRETTY_NAME} of an os-release text, unquoted, or "". */
    static String osRelease(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "").trim();
            }
        }
        return "";
    }

    /** ND4J's version from its jar's Maven metadata on the class path, or "not on the class path". */
    static String nd4jVersion() {
        try (InputStream in = EnvironmentTable.class.getResourceAsStream(ND4J_POM)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "not on the class path";
    }

    private static String distinct(List<JsonObject> runs, String key) {
        Set<String> values = new LinkedHashSet<>();
        for (JsonObject o : runs) {
            if (o.has(key) && o.get(key).isJsonPrimitive()) {
                String v = o.get(key).getAsString();
                values.add(v.isEmpty() ? "(unset)" : v);
            }
        }
        return values.isEmpty() ? "–" : String.join(" / ", values);
    }

    private static String env(String key) {
        String v = System.getenv(key);
        return v == null || v.isEmpty() ? "(unset)" : v;
    }

    private static String read(Path file) {
        try {
            // these files are small; a bound keeps a strange /proc from costing memory
            byte[] b;
            try (InputStream in = Files.newInputStream(file)) {
                b = in.readNBytes(1 << 20);
            }
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
