package org.securecomm.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node under test: its client URL, its JVM and Cassandra pids when known (local node), and
 * its Prometheus metrics (same port as the WebSocket, plain HTTP or HTTPS).
 */
record NodeInfo(URI url, Optional<Long> pid, Optional<Long> cassandraPid) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The scrape's own time (System.nanoTime), so rates use the interval between the scrapes. */
    static final String SCRAPED_AT = "bench_scraped_at_nanos";

    URI metricsUri() {
        String scheme = "wss".equals(url.getScheme()) ? "https" : "http";
        return URI.create(scheme + "://" + url.getHost() + ":" + url.getPort() + "/metrics");
    }

    /** Sums of the node's metrics by name (labels summed up); empty when unreachable. */
    Map<String, Double> scrape() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metricsUri()).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Map.of();
            }
            Map<String, Double> values = new HashMap<>();
            values.put(SCRAPED_AT, (double) System.nanoTime());
            for (String line : response.body().split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                if (space < 0) {
                    continue;
                }
                String name = line.substring(0, space);
                int brace = name.indexOf('{');
                if (brace >= 0) {
                    name = name.substring(0, brace);
                }
                try {
                    values.merge(name.trim(), Double.parseDouble(line.substring(space + 1)), Double::sum);
                } catch (NumberFormatException e) {
                    // skip
                }
            }
            return values;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Map.of();
        }
    }

    /** Processes whose CPU is sampled: the node, Cassandra and this load generator. */
    Map<String, Long> cpuProcesses() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pid.ifPresent(p -> pids.put("relay node", p));
        cassandraPid.ifPresent(p -> pids.put("Cassandra", p));
        pids.put("load generator", ProcessHandle.current().pid());
        return pids;
    }
}
