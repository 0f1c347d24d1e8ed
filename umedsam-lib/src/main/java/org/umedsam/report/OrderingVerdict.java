package org.umedsam.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the paper's ordering of the ablation configurations (full &gt; no-sam &gt; only-sd &gt;
 * baseline) holds here, judged on the adjacent paired differences and their bootstrap intervals
 * ({@link PairedBootstrap}): reproduced when every adjacent difference lies above zero,
 * contradicted when any lies below zero, otherwise not resolved.
 */
public final class OrderingVerdict {
    /** The paper's ordering, best first. */
    public static final List<String> PAPER_ORDER = List.of("full", "no-sam", "only-sd", "baseline");

    /** What the intervals say. */
    public enum Outcome {
        REPRODUCED("reproduced"),
        CONTRADICTED("contradicted"),
        NOT_RESOLVED("not resolved"),
        NOT_TESTABLE("cannot be checked");

        private final String words;

        Outcome(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /**
     * One adjacent step of the ordering.
     *
     * @param better     the configuration the paper ranks higher
     * @param worse      the one it ranks next lower
     * @param difference {@code better - worse}, paired over cases and seeds
     */
    public record Step(String better, String worse, PairedBootstrap.Interval difference) {
    }

    private OrderingVerdict() {
    }

    /** The adjacent pairs of {@link #PAPER_ORDER}: (full, no-sam), (no-sam, only-sd), (only-sd, baseline). */
    public static List<String[]> adjacentPairs() {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i + 1 < PAPER_ORDER.size(); i++) {
            out.add(new String[] {PAPER_ORDER.get(i), PAPER_ORDER.get(i + 1)});
        }
        return out;
    }

    /** The outcome of the steps; {@link Outcome#NOT_TESTABLE} when a step is missing or undefined. */
    public static Outcome outcome(List<Step> steps) {
        if (steps.size() < PAPER_ORDER.size() - 1) {
            return Outcome.NOT_TESTABLE;
        }
        boolean allAbove = true;
        for (Step s : steps) {
            PairedBootstrap.Interval d = s.difference();
            if (Double.isNaN(d.lower()) || Double.isNaN(d.upper())) {
                return Outcome.NOT_TESTABLE;
            }
            if (d.below()) {
                return Outcome.CONTRADICTED;
            }
            allAbove &= d.above();
        }
        return allAbove ? Outcome.REPRODUCED : Outcome.NOT_RESOLVED;
    }

    /**
     * A clause such as {@code DSC not resolved: the intervals of full - no-sam +0.12 [-0.40, +0.61]
     * and ... include zero}.
     *
     * @param metric  the metric's name
     * @param steps   the adjacent steps found (fewer than three when configurations are missing)
     * @param missing configurations of {@link #PAPER_ORDER} without runs
     */
    public static String clause(String metric, List<Step> steps, List<String> missing) {
        Outcome o = outcome(steps);
        StringBuilder sb = new StringBuilder(metric).append(' ').append(o.words());
        switch (o) {
            case NOT_TESTABLE -> sb.append(missing.isEmpty() ? " (an interval is undefined: no paired scores)"
                    : " (no runs of " + String.join(", ", missing) + ")");
            case REPRODUCED -> sb.append(" (every adjacent difference lies above zero: ").append(list(steps)).append(')');
            case CONTRADICTED -> {
                List<Step> below = steps.stream().filter(s -> s.difference().below()).toList();
                sb.append(" (").append(list(below)).append(below.size() == 1 ? " lies" : " lie").append(" below zero)");
            }
            case NOT_RESOLVED -> {
                List<Step> zero = steps.stream().filter(s -> s.difference().includesZero()).toList();
                sb.append(" (").append(list(zero)).append(zero.size() == 1 ? " overlaps" : " overlap").append(" zero)");
            }
            default -> throw new IllegalStateException(o.toString());
        }
        return sb.toString();
    }

    /**
     * One sentence over several metrics, e.g. {@code The paper's ordering full > no-sam > only-sd >
     * baseline (all modalities; 95 % bootstrap intervals over cases and seeds): DSC not resolved
     * (...); NSD not resolved (...).}
     */
    public static String sentence(List<String> clauses) {
        return "The paper's ordering " + String.join(" > ", PAPER_ORDER)
                + " (all modalities; paired differences in percentage points with 95 % bootstrap intervals over cases"
                + " and seeds): " + String.join("; ", clauses) + ".";
    }

    private static String list(List<Step> steps) {
        List<String> parts = new ArrayList<>();
        for (Step s : steps) {
            parts.add(s.better() + " - " + s.worse() + " " + points(s.difference()));
        }
        return String.join(", ", parts);
    }

    /** {@code +1.23 [-0.40, +2.80]}: a difference of fractions in percentage points with its interval. */
    public static String points(PairedBootstrap.Interval d) {
        if (Double.isNaN(d.mean())) {
            return "–";
        }
        String m = signed(d.mean());
        if (Double.isNaN(d.lower())) {
            return m;
        }
        return m + " [" + signed(d.lower()) + ", " + signed(d.upper()) + "]";
    }

    private static String signed(double fraction) {
        return String.format(Locale.ROOT, "%+.2f", 100 * fraction);
    }
}
