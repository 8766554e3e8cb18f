package org.securecomm.relay.account;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.securecomm.protocol.Address;
import org.securecomm.protocol.Identifiers;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.Asks;

/**
 * Which of a client's identifier hashes belong to accounts. Answers only the matches, and the
 * gateway rate-limits how many hashes a device may ask about, so the directory cannot be dumped.
 */
public final class ContactDiscovery {

    public record Match(byte[] clientHash, Address address) {
    }

    private final ClusterSharding sharding;
    private final IdentifierHasher identifierHasher;
    private final AccountManager accounts;
    private final Duration askTimeout;

    public ContactDiscovery(ClusterSharding sharding, IdentifierHasher identifierHasher, AccountManager accounts, Duration askTimeout) {
        this.sharding = sharding;
        this.identifierHasher = identifierHasher;
        this.accounts = accounts;
        this.askTimeout = askTimeout;
    }

    public CompletionStage<List<Match>> discover(List<byte[]> clientHashes) {
        for (byte[] hash : clientHashes) {
            if (hash.length != Identifiers.HASH_LENGTH) {
                throw new ApiException(ErrorCode.INVALID_ARGUMENT, "an identifier hash is " + Identifiers.HASH_LENGTH + " bytes");
            }
        }
        List<CompletableFuture<Optional<Match>>> lookups = new ArrayList<>();
        for (byte[] hash : clientHashes) {
            lookups.add(lookup(hash).toCompletableFuture());
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> lookups.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
    }

    private CompletionStage<Optional<Match>> lookup(byte[] clientHash) {
        return Asks.plain(sharding.entityRefFor(IdentifierRegistration.TYPE_KEY, identifierHasher.keyForClientHash(clientHash))
                .ask(IdentifierRegistration.Lookup::new, askTimeout))
                .thenCompose(owner -> owner.accountId() == null
                        ? CompletableFuture.completedFuture(Optional.<Match>empty())
                        : accounts.devices(owner.accountId()).thenApply(devices -> devices.exists()
                                ? Optional.of(new Match(clientHash, new Address(devices.username(), accounts.domain())))
                                : Optional.<Match>empty()));
    }
}
