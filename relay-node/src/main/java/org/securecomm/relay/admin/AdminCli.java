package org.securecomm.relay.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.securecomm.protocol.Identifiers;

/**
 * {@code securecomm-relay admin [--url URL] [--token-file F] [--json] COMMAND}: calls a node's
 * admin listener and prints tables (or the server's JSON). Exit codes: 0 ok, 1 an error (from
 * the server, or it could not be reached), 2 a usage error.
 */
public final class AdminCli {

    public static final String USAGE = """
            usage: securecomm-relay admin [--url URL] [--token-file FILE] [--json] COMMAND
              members                               cluster members as this node sees them
              shards                                shards and entities per node and entity type
              drain [NODE_ADDRESS]                  drain this node (it stops), or tell a member to leave
              peers [DOMAIN]                        federation peers and their outbound queues
              account disable|enable|delete ADDRESS
              account disable|enable|delete --identifier-hash HEX | --identifier PHONE_OR_EMAIL
                                                    (--identifier is hashed here; only the hash is sent)
              mailbox ADDRESS                       envelopes waiting per device of an account
              mailbox-stats                         live mailboxes of this node
              hash-identifier PHONE_OR_EMAIL        print the identifier hash (computed locally)
            --url defaults to http://127.0.0.1:7627. The token: --token-file, else env SECURECOMM_ADMIN_TOKEN,
            else the file the node generated, ~/.securecomm/relay-admin-PORT.token.
            Exit codes: 0 ok, 1 error, 2 usage.
            """;

    static final String DEFAULT_URL = "http://127.0.0.1:7627";

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    private AdminCli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    /** Runs one admin command; answers the process exit code. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            return new AdminCli(env, out, err).execute(args);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private record Call(String method, String path, ObjectNode body) {
    }

    private int execute(List<String> args) {
        String url = DEFAULT_URL;
        String tokenFile = null;
        boolean json = false;
        int i = 0;
        for (; i < args.size() && args.get(i).startsWith("--"); i++) {
            switch (args.get(i)) {
                case "--url" -> url = value(args, ++i, "--url");
                case "--token-file" -> tokenFile = value(args, ++i, "--token-file");
                case "--json" -> json = true;
                case "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> throw new UsageException("unknown option " + args.get(i));
            }
        }
        if (i >= args.size()) {
            throw new UsageException("no command");
        }
        String command = args.get(i);
        List<String> rest = args.subList(i + 1, args.size());
        if (command.equals("help")) {
            out.print(USAGE);
            return 0;
        }
        if (command.equals("hash-identifier")) {
            out.println(identifierHash(single(rest, "hash-identifier PHONE_OR_EMAIL")));
            return 0;
        }
        Call call = call(command, rest);
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url is not a URL: " + url);
        }
        if (base.getHost() == null || !"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new UsageException("--url must be http://HOST:PORT, not " + url);
        }
        String token = token(tokenFile, base);
        if (token == null) {
            return 1;
        }
        return send(base, token, call, command, json);
    }

    private Call call(String command, List<String> rest) {
        switch (command) {
            case "members", "shards", "mailbox-stats" -> {
                none(rest, command);
                return new Call("GET", "/v1/" + command, null);
            }
            case "drain" -> {
                if (rest.size() > 1) {
                    throw new UsageException("drain takes at most one member address");
                }
                ObjectNode body = AdminRoutes.JSON.createObjectNode();
                if (!rest.isEmpty()) {
                    body.put("node", rest.get(0));
                }
                return new Call("POST", "/v1/drain", body);
            }
            case "peers" -> {
                if (rest.size() > 1) {
                    throw new UsageException("peers takes at most one domain");
                }
                return new Call("GET", "/v1/peers" + (rest.isEmpty() ? "" : "?domain=" + encode(rest.get(0))), null);
            }
            case "mailbox" -> {
                return new Call("GET", "/v1/mailbox?address=" + encode(single(rest, "mailbox ADDRESS")), null);
            }
            case "account" -> {
                return account(rest);
            }
            default -> throw new UsageException("unknown command " + command);
        }
    }

    private Call account(List<String> rest) {
        if (rest.isEmpty() || !List.of("disable", "enable", "delete").contains(rest.get(0))) {
            throw new UsageException("account needs disable, enable or delete");
        }
        String action = rest.get(0);
        List<String> target = rest.subList(1, rest.size());
        ObjectNode body = AdminRoutes.JSON.createObjectNode();
        if (target.size() == 1 && !target.get(0).startsWith("--")) {
            body.put("address", target.get(0));
        } else if (target.size() == 2 && target.get(0).equals("--identifier-hash")) {
            body.put("identifierHash", target.get(1));
        } else if (target.size() == 2 && target.get(0).equals("--identifier")) {
            body.put("identifierHash", identifierHash(target.get(1)));
        } else {
            throw new UsageException("account " + action + " needs ADDRESS, --identifier-hash HEX or --identifier PHONE_OR_EMAIL");
        }
        return new Call("POST", "/v1/accounts/" + action, body);
    }

    private static String identifierHash(String identifier) {
        try {
            return HexFormat.of().formatHex(Identifiers.clientHash(Identifiers.normalize(identifier)));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private String token(String tokenFile, URI base) {
        Path file;
        if (tokenFile != null) {
            file = Path.of(tokenFile);
        } else {
            String fromEnv = env.get("SECURECOMM_ADMIN_TOKEN");
            if (fromEnv != null && !fromEnv.isBlank()) {
                return fromEnv.strip();
            }
            file = AdminSettings.defaultTokenPath(base.getPort() == -1 ? 7627 : base.getPort());
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            err.println("error: no admin token: cannot read " + file + " (" + e.getClass().getSimpleName() + "); pass --token-file FILE"
                    + " or set SECURECOMM_ADMIN_TOKEN");
            return null;
        }
    }

    private int send(URI base, String token, Call call, String command, boolean json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + call.path()))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
        if (call.method().equals("POST")) {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(call.body().toString(), StandardCharsets.UTF_8));
        } else {
            request.GET();
        }
        HttpResponse<String> response;
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            err.println("error: cannot reach the admin listener at " + base + " (is the node running? --url)");
            return 1;
        } catch (IOException e) {
            err.println("error: the admin request to " + base + " failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return 1;
        }
        JsonNode body;
        try {
            body = AdminRoutes.JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        boolean ok = response.statusCode() / 100 == 2;
        if (json) {
            out.println(response.body());
        }
        if (!ok) {
            String message = body != null && body.hasNonNull("message") ? body.get("message").asText() : response.body();
            err.println("error (" + response.statusCode() + "): " + message);
            return 1;
        }
        if (!json) {
            if (body == null) {
                err.println("error: the server answered something that is not JSON: " + response.body());
                return 1;
            }
            new AdminOutput(out).print(command, body);
        }
        return 0;
    }

    // ------------------------------------------------------------------ arguments

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(index);
    }

    private static void none(List<String> rest, String command) {
        if (!rest.isEmpty()) {
            throw new UsageException(command + " takes no arguments");
        }
    }

    private static String single(List<String> rest, String usage) {
        if (rest.size() != 1) {
            throw new UsageException("usage: " + usage);
        }
        return rest.get(0);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
