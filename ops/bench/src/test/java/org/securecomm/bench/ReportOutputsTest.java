package org.securecomm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files a run writes: JSON, CSV and the latency-against-load PNG. */
class ReportOutputsTest {

    @TempDir
    Path dir;

    /** A report as a sweep leaves it: per offered rate, achieved throughput and latency percentiles. */
    private static Report sweepReport() {
        Report report = new Report();
        report.header("machine: test");
        for (int offered : new int[] {1000, 2000, 5000}) {
            Histogram latency = new Histogram(3);
            for (int i = 1; i <= 100; i++) {
                latency.recordValue(i * 100L * offered / 1000);
            }
            report.metric(new Report.Metric("sweep", "securecomm", "envelopes acknowledged", offered * 0.95, "1/s", offered));
            report.latencyMetrics("sweep", "securecomm", "send to push", latency, offered);
        }
        report.metric("errors", "securecomm", "CODE, with \"quotes\"", 2, "count");
        report.target(MixRun.TARGET_LATENCY, "p99 9.9 ms", true);
        return report;
    }

    @Test
    void thePlotIsAPngWithBothCharts() throws IOException {
        Path png = dir.resolve("sweep.png");
        LoadPlot.write(sweepReport().metrics(), png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(900, image.getHeight());
        // something was drawn in each half (not a blank canvas)
        assertTrue(distinctColours(image, 0) > 2);
        assertTrue(distinctColours(image, 450) > 2);
    }

    private static long distinctColours(BufferedImage image, int top) {
        return java.util.stream.IntStream.range(top, top + 450).flatMap(y -> java.util.stream.IntStream.range(0, 900)
                .map(x -> image.getRGB(x, y))).distinct().count();
    }

    @Test
    void noSweepNoPlot() {
        Report report = new Report();
        report.metric("messaging", "securecomm", "envelopes acknowledged", 10, "1/s");
        IOException e = assertThrows(IOException.class, () -> LoadPlot.write(report.metrics(), dir.resolve("x.png")));
        assertTrue(e.getMessage().contains("no load sweep figures"));
    }

    @Test
    void jsonAndCsvHoldEveryMetric() throws IOException {
        Report report = sweepReport();
        Path json = dir.resolve("figures.json");
        Path csv = dir.resolve("figures.csv");
        report.writeJson(json);
        report.writeCsv(csv);
        JsonNode document = new ObjectMapper().readTree(json.toFile());
        assertEquals(report.metrics().size(), document.get("metrics").size());
        assertEquals(MixRun.TARGET_LATENCY, document.get("targets").get(0).get("name").asText());
        assertTrue(document.get("targets").get(0).get("met").asBoolean());
        JsonNode first = document.get("metrics").get(0);
        assertEquals("sweep", first.get("scenario").asText());
        assertEquals(1000.0, first.get("offeredLoad").asDouble());

        List<String> lines = Files.readAllLines(csv);
        assertEquals("scenario,system,name,value,unit,offered_load", lines.get(0));
        assertEquals(report.metrics().size() + 1, lines.size());
        assertTrue(lines.contains("errors,securecomm,\"CODE, with \"\"quotes\"\"\",2.00000,count,0.00000"), lines.toString());
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(line.startsWith("sweep,securecomm,") || line.startsWith("errors,"), line);
        }
    }
}
