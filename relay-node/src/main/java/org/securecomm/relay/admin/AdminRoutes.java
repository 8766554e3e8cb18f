package org.securecomm.relay.admin;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.extractMethod;
import static org.apache.pekko.http.javadsl.server.Directives.extractUnmatchedPath;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: JSON over HTTP, every request with {@code Authorization: Bearer TOKEN}. Errors
 * are {@code {"error": WORD, "message": TEXT}} with 400 (bad input), 401 (token), 404 (no such
 * account, member or endpoint), 504 (the cluster did not answer in time) or 500.
 */
final class AdminRoutes {

    static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    private static final long MAX_BODY_BYTES = 64 * 1024;

    record Error(String error, String message) {
    }

    private final AdminToken token;
    private final ClusterAdmin cluster;
    private final AccountAdmin accounts;
    private final MailboxAdmin mailboxes;
    private final PeersAdmin peers;

    AdminRoutes(AdminToken token, ClusterAdmin cluster, AccountAdmin accounts, MailboxAdmin mailboxes, PeersAdmin peers) {
        this.token = token;
        this.cluster = cluster;
        this.accounts = accounts;
        this.mailboxes = mailboxes;
        this.peers = peers;
    }

    Route route() {
        return optionalHeaderValueByName("Authorization", header -> {
            if (!token.matches(bearer(header))) {
                return complete(json(401, new Error("unauthorized",
                        "send the admin token as `Authorization: Bearer TOKEN` (see securecomm.admin.token-file)")));
            }
            return withSizeLimit(MAX_BODY_BYTES, () -> concat(
                    pathPrefix("v1", () -> concat(
                            path("members", () -> get(() -> reply(200, () -> CompletableFuture.completedFuture(cluster.members())))),
                            path("shards", () -> get(() -> reply(200, cluster::shards))),
                            path("drain", () -> post(() -> body(Set.of("node"), body ->
                                    reply(202, () -> CompletableFuture.completedFuture(cluster.drain(text(body, "node"))))))),
                            path("peers", () -> get(() -> parameterOptional("domain", domain ->
                                    reply(200, () -> peers.peers(domain.orElse(null)))))),
                            pathPrefix("accounts", () -> path(segment(), action -> post(() ->
                                    body(Set.of("address", "identifierHash"), body -> reply(200, () -> account(action, body)))))),
                            path("mailbox", () -> get(() -> parameterOptional("address", address ->
                                    reply(200, () -> mailboxes.ofAddress(address.filter(a -> !a.isBlank()).orElseThrow(() ->
                                            AdminException.badRequest("the address parameter is missing: /v1/mailbox?address=NAME@DOMAIN"))))))),
                            path("mailbox-stats", () -> get(() -> reply(200, mailboxes::ofThisNode))))),
                    extractMethod(method -> extractUnmatchedPath(unmatched -> complete(json(404, new Error("not_found",
                            "no admin endpoint " + method.value() + " " + unmatched)))))));
        });
    }

    private CompletionStage<AccountAdmin.Result> account(String action, JsonNode body) {
        AccountAdmin.Target target = new AccountAdmin.Target(text(body, "address"), text(body, "identifierHash"));
        switch (action) {
            case "disable":
                return accounts.disable(target);
            case "enable":
                return accounts.enable(target);
            case "delete":
                return accounts.delete(target);
            default:
                throw AdminException.notFound("no account action " + action + ": disable, enable or delete");
        }
    }

    private static String bearer(Optional<String> header) {
        return header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).strip()).orElse(null);
    }

    /** The JSON object of the request (an empty body is {}); 400 for anything else or an unknown field. */
    private static Route body(Set<String> fields, Function<JsonNode, Route> inner) {
        return entity(Unmarshaller.entityToString(), text -> {
            JsonNode body;
            try {
                body = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            } catch (JsonProcessingException e) {
                return complete(json(400, new Error("bad_request", "the body is not JSON: " + e.getOriginalMessage())));
            }
            if (body == null || !body.isObject()) {
                return complete(json(400, new Error("bad_request", "the body must be a JSON object")));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!fields.contains(field.getKey())) {
                    return complete(json(400, new Error("bad_request", "unknown field \"" + field.getKey() + "\"; expected " + fields)));
                }
                if (!field.getValue().isTextual() && !field.getValue().isNull()) {
                    return complete(json(400, new Error("bad_request", "\"" + field.getKey() + "\" must be a string")));
                }
            }
            return inner.apply(body);
        });
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }

    /** Runs {@code action}, answering its value with {@code status}, or its failure as a JSON error. */
    private static Route reply(int status, Supplier<CompletionStage<?>> action) {
        CompletionStage<?> stage;
        try {
            stage = action.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return completeWithFuture(stage.handle((value, error) -> error == null ? json(status, value) : failure(error)));
    }

    private static HttpResponse failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof AdminException refused) {
            return json(refused.status(), new Error(refused.error(), refused.getMessage()));
        }
        if (cause instanceof TimeoutException || cause instanceof AskTimeoutException) {
            return json(504, new Error("timeout", "the cluster did not answer in time; try again"));
        }
        log.warn("admin request failed", cause);
        return json(500, new Error("internal", String.valueOf(cause.getMessage())));
    }

    static HttpResponse json(int status, Object body) {
        try {
            return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an admin answer could not be written as JSON", e);
        }
    }
}
