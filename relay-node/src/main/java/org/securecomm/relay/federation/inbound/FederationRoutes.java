package org.securecomm.relay.federation.inbound;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** The federation listener's routes: the well-known description and the signed operations. */
public final class FederationRoutes {

    static final ContentType PROTOBUF = MediaTypes.applicationBinary("x-protobuf", MediaTypes.NOT_COMPRESSIBLE).toContentType();

    private FederationRoutes() {
    }

    public static Route routes(FederationEndpoint endpoint, Supplier<byte[]> wellKnown) {
        return concat(
                wellKnown(wellKnown),
                pathPrefix("federation", () -> pathPrefix("v1", () -> path(segment(), operation -> post(() ->
                        extractRequest(request -> completeWithFuture(endpoint.handle(operation, request))))))));
    }

    /** GET /.well-known/securecomm/server: the signed description (503 while there is none yet). */
    public static Route wellKnown(Supplier<byte[]> document) {
        return path(segment(".well-known").slash("securecomm").slash("server"), () -> get(() -> {
            byte[] bytes = document.get();
            return bytes == null ? complete(StatusCodes.SERVICE_UNAVAILABLE, "starting")
                    : complete(HttpResponse.create().withEntity(HttpEntities.create(PROTOBUF, bytes)));
        }));
    }
}
