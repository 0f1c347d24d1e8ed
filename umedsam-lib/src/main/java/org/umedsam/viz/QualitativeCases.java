package org.umedsam.viz;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.umedsam.report.Ordering;
import org.umedsam.report.QualitativeExample;
import org.umedsam.report.RunRecords;
import org.umedsam.report.RunsDirectory;

/**
 * The test cases a qualitative figure can show for every configuration: those kept as examples
 * by one run (the lowest seed that kept any) of each configuration, ranked by their DSC averaged
 * over the configurations. "Good" cases are the highest ranked, "challenging" the lowest; each
 * pick prefers a modality not yet shown, and the two picks never share a case.
 */
final class QualitativeCases {
    private final List<String> configurations;
    /** configuration -> case -> example. */
    private final Map<String, Map<String, QualitativeExample>> examples;
    /** common cases, highest mean DSC first. */
    private final List<String> ranked;
    /** the seeds whose runs supplied the examples. */
    private final java.util.SortedSet<Long> seeds;
    /** most examples one run kept of one modality. */
    private final int perModality;

    private QualitativeCases(List<String> configurations, Map<String, Map<String, QualitativeExample>> examples,
                             List<String> ranked, java.util.SortedSet<Long> seeds, int perModality) {
        this.configurations = configurations;
        this.examples = examples;
        this.ranked = ranked;
        this.seeds = seeds;
        this.perModality = perModality;
    }

    static QualitativeCases of(RunsDirectory runs) throws IOException {
        Map<String, List<QualitativeExample>> byRun = runs.examples();
        Map<String, Map<String, QualitativeExample>> byConfig = new LinkedHashMap<>();
        java.util.SortedSet<Long> seeds = new java.util.TreeSet<>();
        int perModality = 0;
        List<RunRecords> sorted = new ArrayList<>(runs.runs());
        sorted.sort(Comparator.comparingLong(RunRecords::seed));
        for (RunRecords r : sorted) {
            List<QualitativeExample> kept = byRun.getOrDefault(r.name(), List.of());
            if (!kept.isEmpty() && !byConfig.containsKey(r.configuration())) {
                Map<String, QualitativeExample> m = new LinkedHashMap<>();
                kept.forEach(e -> m.put(e.caseId(), e));
                byConfig.put(r.configuration(), m);
                seeds.add(r.seed());
                Map<String, Integer> counts = new java.util.HashMap<>();
                kept.forEach(e -> counts.merge(e.modality(), 1, Integer::sum));
                perModality = Math.max(perModality, counts.values().stream().mapToInt(Integer::intValue).max().orElse(0));
            }
        }
        if (byConfig.isEmpty()) {
            throw new IOException(runs.dir() + ": no run kept qualitative examples");
        }
        List<String> configs = Ordering.configurations(byConfig.keySet());
        Set<String> common = new LinkedHashSet<>(byConfig.get(configs.get(0)).keySet());
        for (String c : configs) {
            common.retainAll(byConfig.get(c).keySet());
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        for (String id : common) {
            double s = 0;
            int n = 0;
            for (String c : configs) {
                double d = byConfig.get(c).get(id).dsc();
                if (!Double.isNaN(d)) {
                    s += d;
                    n++;
                }
            }
            // a case scored NaN everywhere (no class in either mask) ranks nowhere
            if (n > 0) {
                mean.put(id, s / n);
            }
        }
        List<String> ranked = new ArrayList<>(mean.keySet());
        ranked.sort(Comparator.comparingDouble((String id) -> -mean.get(id)).thenComparing(id -> id));
        return new QualitativeCases(configs, byConfig, ranked, seeds, perModality);
    }

    /** The seeds of the runs the examples come from (one run per configuration: its lowest seed that kept any). */
    java.util.SortedSet<Long> seeds() {
        return seeds;
    }

    /** The most examples one run kept of one modality (the evaluation keeps its best, its worst, then others). */
    int perModality() {
        return perModality;
    }

    List<String> configurations() {
        return configurations;
    }

    int caseCount() {
        return ranked.size();
    }

    QualitativeExample example(String configuration, String caseId) {
        return examples.get(configuration).get(caseId);
    }

    /** Up to {@code n} of the best cases (at most the better half when fewer than 2n are common). */
    List<String> good(int n) {
        return pick(ranked.subList(0, (ranked.size() + 1) / 2), Math.min(n, (ranked.size() + 1) / 2));
    }

    /** Up to {@code n} of the worst cases (from the worse half), worst first: never one of {@link #good}'s. */
    List<String> challenging(int n) {
        List<String> worstFirst = new ArrayList<>(ranked.subList((ranked.size() + 1) / 2, ranked.size()));
        java.util.Collections.reverse(worstFirst);
        return pick(worstFirst, Math.min(n, worstFirst.size()));
    }

    /** The first {@code n} of {@code order}, preferring cases of a modality not yet picked. */
    private List<String> pick(List<String> order, int n) {
        List<String> out = new ArrayList<>();
        Set<String> modalities = new HashSet<>();
        for (String id : order) {
            if (out.size() < n && modalities.add(modality(id))) {
                out.add(id);
            }
        }
        for (String id : order) {
            if (out.size() < n && !out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    private String modality(String caseId) {
        return examples.get(configurations.get(0)).get(caseId).modality();
    }
}
