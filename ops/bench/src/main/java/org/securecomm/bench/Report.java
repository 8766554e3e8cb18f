package org.securecomm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The summary printed at the end: one section per scenario, then the targets. Besides the text, every
 * figure a scenario measures goes in as a {@link Metric}, which {@link #writeJson} and {@link #writeCsv}
 * write out for other tools (and the plots).
 */
public final class Report {

    /** A measured target; {@code met} is null when it was not measured. */
    public record Target(String name, String measured, Boolean met) {
    }

    /**
     * One figure: which scenario (and which system, e.g. "securecomm" or "ejabberd"), what, its value
     * and unit ("1/s", "ms", "KiB", ...), and the offered load it was measured at when there is one
     * (0 otherwise), which the latency-against-load plot uses.
     */
    public record Metric(String scenario, String system, String name, double value, String unit, double offeredLoad) {
    }

    private final List<String> header = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<Metric> metrics = new ArrayList<>();

    public synchronized void header(String line) {
        header.add(line);
    }

    public synchronized void section(String title) {
        lines.add("");
        lines.add(title);
    }

    public synchronized void line(String format, Object... args) {
        lines.add("  " + String.format(Locale.ROOT, format, args));
    }

    public synchronized void target(String name, String measured, Boolean met) {
        targets.add(new Target(name, measured, met));
    }

    public synchronized void metric(Metric metric) {
        metrics.add(metric);
    }

    public void metric(String scenario, String system, String name, double value, String unit) {
        metric(new Metric(scenario, system, name, value, unit, 0));
    }

    /** p50, p90, p99, p99.9 and max of a histogram in microseconds, as metrics in milliseconds. */
    public void latencyMetrics(String scenario, String system, String name, Histogram micros, double offeredLoad) {
        if (micros.getTotalCount() == 0) {
            return;
        }
        for (double p : new double[] {50, 90, 99, 99.9}) {
            metric(new Metric(scenario, system, name + " p" + (p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p)),
                    micros.getValueAtPercentile(p) / 1000.0, "ms", offeredLoad));
        }
        metric(new Metric(scenario, system, name + " max", micros.getMaxValue() / 1000.0, "ms", offeredLoad));
    }

    public synchronized List<Metric> metrics() {
        return List.copyOf(metrics);
    }

    /** Header lines, targets and metrics as one JSON document. */
    public synchronized void writeJson(Path file) throws IOException {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("header", header);
        document.put("targets", targets);
        document.put("metrics", metrics);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), document);
    }

    /** The metrics as CSV: scenario,system,name,value,unit,offered_load. */
    public synchronized void writeCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("scenario,system,name,value,unit,offered_load\n");
        for (Metric m : metrics) {
            csv.append(csvField(m.scenario())).append(',').append(csvField(m.system())).append(',').append(csvField(m.name()))
                    .append(',').append(String.format(Locale.ROOT, "%.6g", m.value())).append(',').append(csvField(m.unit()))
                    .append(',').append(String.format(Locale.ROOT, "%.6g", m.offeredLoad())).append('\n');
        }
        Files.writeString(file, csv, StandardCharsets.UTF_8);
    }

    private static String csvField(String value) {
        return value.contains(",") || value.contains("\"") ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    public void print() {
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
    public static String ms(long micros) {
        return micros >= 100_000 ? String.format(Locale.ROOT, "%.0f ms", micros / 1000.0)
                : String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    public static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return "p50 " + ms(h.getValueAtPercentile(50)) + ", p90 " + ms(h.getValueAtPercentile(90))
                + ", p99 " + ms(h.getValueAtPercentile(99)) + ", p99.9 " + ms(h.getValueAtPercentile(99.9))
                + ", max " + ms(h.getMaxValue()) + " (" + h.getTotalCount() + " samples)";
    }

    public static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }
}
