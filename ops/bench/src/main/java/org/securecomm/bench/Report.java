package org.securecomm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The summary printed at the end: one section per scenario, then the targets. */
final class Report {

    record Target(String name, String measured, Boolean met) {
    }

    private final List<String> header = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();

    void header(String line) {
        header.add(line);
    }

    void section(String title) {
        lines.add("");
        lines.add(title);
    }

    void line(String format, Object... args) {
        lines.add("  " + String.format(Locale.ROOT, format, args));
    }

    void target(String name, String measured, Boolean met) {
        targets.add(new Target(name, measured, met));
    }

    void print() {
        System.out.println();
        System.out.println("================================================================ SecureComm relay benchmark: summary");
        header.forEach(line -> System.out.println(line));
        lines.forEach(System.out::println);
        if (!targets.isEmpty()) {
            System.out.println();
            System.out.println("targets");
            for (Target t : targets) {
                String verdict = t.met() == null ? "not measured" : t.met() ? "MET" : "MISSED";
                System.out.printf(Locale.ROOT, "  %-58s %-14s %s%n", t.name(), verdict, t.measured());
            }
        }
        System.out.println("================================================================");
    }

    // ------------------------------------------------------------------ formatting helpers

    /** Microseconds to milliseconds text. */
    static String ms(long micros) {
        return micros >= 100_000 ? String.format(Locale.ROOT, "%.0f ms", micros / 1000.0)
                : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return "p50 " + ms(h.getValueAtPercentile(50)) + ", p90 " + ms(h.getValueAtPercentile(90))
                + ", p99 " + ms(h.getValueAtPercentile(99)) + ", p99.9 " + ms(h.getValueAtPercentile(99.9))
                + ", max " + ms(h.getMaxValue()) + " (" + h.getTotalCount() + " samples)";
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }
}
