package org.securecomm.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The latency-against-load plot (PNG, headless): on top, send-to-push p50 and p99 against offered
 * envelopes/s; below, achieved (acknowledged) against offered, with the ideal line. Drawn from the
 * report's metrics that carry an offered load.
 */
final class LoadPlot {

    static final String SCENARIO = "sweep";
    private static final int WIDTH = 900;
    private static final int CHART_HEIGHT = 450;

    private LoadPlot() {
    }

    /** Writes the PNG; fails with a clear message when the metrics hold no sweep step. */
    static void write(List<Report.Metric> metrics, Path file) throws IOException {
        XYSeries p50 = series(metrics, "send to push p50", "p50");
        XYSeries p99 = series(metrics, "send to push p99", "p99");
        XYSeries achieved = series(metrics, "envelopes acknowledged", "achieved (acknowledged)");
        if (achieved.isEmpty()) {
            throw new IOException("no load sweep figures to plot (is the sweep enabled in the scenario?)");
        }
        XYSeries ideal = new XYSeries("offered");
        for (int i = 0; i < achieved.getItemCount(); i++) {
            ideal.add(achieved.getX(i), achieved.getX(i));
        }
        XYSeriesCollection latency = new XYSeriesCollection();
        latency.addSeries(p50);
        latency.addSeries(p99);
        XYSeriesCollection throughput = new XYSeriesCollection();
        throughput.addSeries(achieved);
        throughput.addSeries(ideal);
        JFreeChart top = ChartFactory.createXYLineChart("SecureComm relay: send -> push latency against offered load",
                "offered envelopes/s", "latency (ms)", latency, PlotOrientation.VERTICAL, true, false, false);
        JFreeChart bottom = ChartFactory.createXYLineChart("achieved against offered throughput", "offered envelopes/s",
                "envelopes/s", throughput, PlotOrientation.VERTICAL, true, false, false);
        style(top);
        style(bottom);
        BufferedImage image = new BufferedImage(WIDTH, 2 * CHART_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            top.draw(g, new Rectangle2D.Double(0, 0, WIDTH, CHART_HEIGHT));
            bottom.draw(g, new Rectangle2D.Double(0, CHART_HEIGHT, WIDTH, CHART_HEIGHT));
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }

    /** Points marked (a sweep has few steps, a stopped one maybe one) on a white plot, x from 0. */
    private static void style(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
        if (plot.getRenderer() instanceof XYLineAndShapeRenderer renderer) {
            renderer.setDefaultShapesVisible(true);
        }
    }

    private static XYSeries series(List<Report.Metric> metrics, String name, String label) {
        XYSeries series = new XYSeries(label);
        for (Report.Metric m : metrics) {
            if (m.scenario().equals(SCENARIO) && m.name().equals(name) && m.offeredLoad() > 0) {
                series.add(m.offeredLoad(), m.value());
            }
        }
        return series;
    }
}
