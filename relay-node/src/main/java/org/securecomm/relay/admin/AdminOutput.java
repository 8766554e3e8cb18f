package org.securecomm.relay.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The admin CLI's human-readable output: one table or sentence per command, from the server's JSON. */
final class AdminOutput {

    private final PrintStream out;

    AdminOutput(PrintStream out) {
        this.out = out;
    }

    void print(String command, JsonNode body) {
        switch (command) {
            case "members" -> members(body);
            case "shards" -> shards(body);
            case "drain" -> out.println(body.path("self").asBoolean()
                    ? "draining " + body.path("node").asText() + ": Closing pushes sent to its clients, shards handed off;"
                    + " it leaves the cluster and its process exits"
                    : body.path("node").asText() + " told to leave the cluster: it drains and its process exits");
            case "peers" -> peers(body);
            case "account" -> account(body);
            case "mailbox" -> mailbox(body);
            case "mailbox-stats" -> out.printf("%s: %d live mailbox(es), %d envelope(s), %d bytes, oldest envelope %s%n",
                    body.path("node").asText(), body.path("mailboxes").asInt(), body.path("envelopes").asLong(),
                    body.path("bytes").asLong(), age(body.path("oldestEnvelopeAgeSeconds").asDouble()));
            default -> out.println(body.toPrettyString());
        }
    }

    private void members(JsonNode body) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ADDRESS", "STATUS", "REACHABLE", "DC", "ROLES", ""));
        for (JsonNode member : body.path("members")) {
            List<String> marks = new ArrayList<>();
            for (String mark : List.of("leader", "oldest", "self")) {
                if (member.path(mark).asBoolean()) {
                    marks.add(mark);
                }
            }
            List<String> roles = new ArrayList<>();
            member.path("roles").forEach(role -> roles.add(role.asText()));
            rows.add(List.of(member.path("address").asText(), member.path("status").asText(),
                    member.path("reachable").asBoolean() ? "yes" : "NO", member.path("dataCenter").asText(),
                    roles.isEmpty() ? "-" : String.join(",", roles), String.join(",", marks)));
        }
        table(rows);
    }

    private void shards(JsonNode body) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("TYPE", "NODE", "SHARDS", "ENTITIES"));
        for (JsonNode type : body.path("types")) {
            for (JsonNode region : type.path("regions")) {
                rows.add(List.of(type.path("type").asText(), region.path("node").asText(), region.path("shards").asText(),
                        region.path("entities").asText()));
            }
            rows.add(List.of(type.path("type").asText(), "(cluster)", type.path("shards").asText(), type.path("entities").asText()));
        }
        table(rows);
        for (JsonNode type : body.path("types")) {
            if (!type.path("failedShards").isEmpty()) {
                out.println(type.path("type").asText() + ": shards that did not answer: " + type.path("failedShards"));
            }
        }
    }

    private void peers(JsonNode body) {
        if (!body.path("federation").asBoolean()) {
            out.println("federation off: " + body.path("message").asText());
            return;
        }
        if (body.path("peers").isEmpty()) {
            out.println(body.path("message").asText());
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("DOMAIN", "STATUS", "DEPTH", "BYTES", "OLDEST", "LAST SUCCESS", "NEXT ATTEMPT", "LAST ERROR"));
            for (JsonNode peer : body.path("peers")) {
                rows.add(List.of(peer.path("domain").asText(), peer.path("status").asText(), peer.path("depth").asText(),
                        peer.path("bytes").asText(), age(peer.path("oldestAgeSeconds").asDouble()),
                        time(peer.path("lastSuccessAtMillis").asLong()), time(peer.path("nextAttemptAtMillis").asLong()),
                        peer.path("lastError").asText()));
            }
            table(rows);
        }
        if (!body.path("unansweredNodes").isEmpty()) {
            out.println("members that did not list their queues: " + body.path("unansweredNodes"));
        }
    }

    private void account(JsonNode body) {
        String id = body.path("accountId").asText();
        String action = body.path("action").asText();
        int devices = body.path("devices").size();
        switch (action) {
            case "disable" -> out.println(body.path("changed").asBoolean()
                    ? "account " + id + " disabled: " + devices + " device(s) can no longer authenticate; open connections closed"
                    : "account " + id + " was already disabled (open connections closed again)");
            case "enable" -> out.println(body.path("changed").asBoolean()
                    ? "account " + id + " enabled" : "account " + id + " was not disabled");
            default -> out.println("account " + id + (body.path("changed").asBoolean() ? " deleted" : " was already deleted; clean-up finished")
                    + ": " + devices + " device(s), " + body.path("envelopesRemoved").asInt() + " envelope(s) removed"
                    + (body.path("usernameReleased").asBoolean() ? ", username free again" : "")
                    + (body.path("identifierReleased").asBoolean() ? ", identifier free again" : ""));
        }
    }

    private void mailbox(JsonNode body) {
        out.println(body.path("address").asText() + " (account " + body.path("accountId").asText() + ")"
                + (body.path("disabled").asBoolean() ? " DISABLED" : ""));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("DEVICE", "ENVELOPES", "BYTES", "OLDEST"));
        for (JsonNode device : body.path("devices")) {
            rows.add(List.of(device.path("deviceId").asText(), device.path("envelopes").asText(), device.path("bytes").asText(),
                    age(device.path("oldestEnvelopeAgeSeconds").asDouble())));
        }
        table(rows);
    }

    private void table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row.get(c) : String.format("%-" + widths[c] + "s  ", row.get(c)));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String age(double seconds) {
        if (seconds <= 0) {
            return "-";
        }
        long s = Math.round(seconds);
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h";
    }

    private static String time(long epochMillis) {
        return epochMillis <= 0 ? "-" : Instant.ofEpochMilli(epochMillis).toString();
    }
}
