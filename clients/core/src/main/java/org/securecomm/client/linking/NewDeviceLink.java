package org.securecomm.client.linking;

import com.google.protobuf.InvalidProtocolBufferException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.securecomm.client.crypto.SealedDataException;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.OpenProvisioningChannel;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.content.v1.ProvisionedAccount;
import org.securecomm.protocol.content.v1.ProvisioningEnvelope;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.ecc.ECPublicKey;

/**
 * The new device's half of linking: opens a provisioning channel (unauthenticated), shows
 * {@link #link()}, receives the existing device's ephemeral key, shows the confirmation code and
 * finally receives the account, sealed under the agreed key.
 */
public final class NewDeviceLink implements AutoCloseable {

    private final RelayConnection connection;
    private final BlockingQueue<byte[]> bodies;
    private final ECKeyPair ephemeral = ECKeyPair.generate();
    private final LinkUri link;
    private LinkingCrypto agreed;

    private NewDeviceLink(RelayConnection connection, BlockingQueue<byte[]> bodies, URI server, String channelId) {
        this.connection = connection;
        this.bodies = bodies;
        this.link = new LinkUri(server, channelId, ephemeral.getPublicKey());
    }

    public static NewDeviceLink open(URI server, SSLContext tls, Duration timeout) {
        BlockingQueue<byte[]> bodies = new LinkedBlockingQueue<>();
        RelayConnection connection = RelayConnection.connect(server, tls, push -> {
            if (push.getKindCase() == Push.KindCase.PROVISIONING_MESSAGE) {
                bodies.add(push.getProvisioningMessage().getBody().toByteArray());
            }
        }, timeout);
        try {
            String channel = connection.call(ClientMessage.newBuilder().setOpenProvisioningChannel(OpenProvisioningChannel.newBuilder()))
                    .join().getProvisioningChannelOpened().getChannelId();
            return new NewDeviceLink(connection, bodies, server, channel);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    public LinkUri link() {
        return link;
    }

    /** Waits for the existing device's key; answers the code to show to the user. */
    public String awaitConfirmationCode(Duration timeout) {
        ProvisioningEnvelope hello = next(timeout);
        if (hello.getBodyCase() != ProvisioningEnvelope.BodyCase.HELLO_PUBLIC_KEY) {
            throw new LinkingException("the existing device did not start the link as expected");
        }
        try {
            ECPublicKey existing = new ECPublicKey(hello.getHelloPublicKey().toByteArray());
            agreed = LinkingCrypto.derive(ephemeral.getPrivateKey(), existing, existing, ephemeral.getPublicKey());
        } catch (InvalidKeyException e) {
            throw new LinkingException("the existing device sent an invalid key");
        }
        return agreed.confirmationCode();
    }

    /** Waits for the account the existing device sends once the user confirmed the code there. */
    public ProvisionedAccount awaitAccount(Duration timeout) {
        if (agreed == null) {
            throw new IllegalStateException("await the confirmation code first");
        }
        ProvisioningEnvelope envelope = next(timeout);
        if (envelope.getBodyCase() != ProvisioningEnvelope.BodyCase.SEALED_ACCOUNT) {
            throw new LinkingException("the existing device sent something other than the account");
        }
        try {
            return ProvisionedAccount.parseFrom(agreed.open(envelope.getSealedAccount().toByteArray()));
        } catch (SealedDataException | InvalidProtocolBufferException e) {
            throw new LinkingException("the account data does not open with the agreed key: linking refused");
        }
    }

    private ProvisioningEnvelope next(Duration timeout) {
        try {
            byte[] body = bodies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (body == null) {
                throw new LinkingException("no answer from the existing device within " + timeout.toSeconds() + " s");
            }
            return ProvisioningEnvelope.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new LinkingException("the existing device sent an unreadable message");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinkingException("interrupted");
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
