package org.securecomm.client.call;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import org.securecomm.client.messaging.IdentityChangedException;
import org.securecomm.client.messaging.MessageSender;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.protocol.content.v1.CallSignalBody;
import org.signal.libsignal.protocol.NoSessionException;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.UntrustedIdentityException;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;

/**
 * Seals call signal bodies (SFrame keys, key requests, ICE descriptions) for one device with the
 * pairwise libsignal session, starting one from a prekey bundle when there is none. The payload is
 * the libsignal message type (one byte) and its serialization: the relay sees only the signal kind.
 * Use on the client's worker thread only, like every other session access.
 */
final class CallSignalCipher {

    private final ProtocolStore protocol;
    private final MessageSender sender;

    CallSignalCipher(ProtocolStore protocol, MessageSender sender) {
        this.protocol = protocol;
        this.sender = sender;
    }

    byte[] seal(String address, int device, CallSignalBody body) {
        SignalProtocolAddress to = new SignalProtocolAddress(address, device);
        if (!protocol.containsSession(to)) {
            sender.fetchSessions(address, device);
        }
        try {
            CiphertextMessage message = new SessionCipher(protocol, protocol, protocol, protocol, protocol, to).encrypt(body.toByteArray());
            byte[] serialized = message.serialize();
            byte[] payload = new byte[serialized.length + 1];
            payload[0] = (byte) message.getType();
            System.arraycopy(serialized, 0, payload, 1, serialized.length);
            return payload;
        } catch (UntrustedIdentityException e) {
            throw new IdentityChangedException(address);
        } catch (NoSessionException e) {
            throw new IllegalStateException("no session with " + to + " although one was just established", e);
        }
    }

    /** @throws CallSignalException when the payload does not decrypt or is not a call signal body */
    CallSignalBody open(String address, int device, byte[] payload) {
        if (payload.length < 2) {
            throw new CallSignalException("empty call signal from " + address + "." + device);
        }
        SessionCipher cipher = new SessionCipher(protocol, protocol, protocol, protocol, protocol, new SignalProtocolAddress(address, device));
        byte[] serialized = Arrays.copyOfRange(payload, 1, payload.length);
        try {
            byte[] plaintext = switch (payload[0]) {
                case CiphertextMessage.PREKEY_TYPE -> cipher.decrypt(new PreKeySignalMessage(serialized));
                case CiphertextMessage.WHISPER_TYPE -> cipher.decrypt(new SignalMessage(serialized));
                default -> throw new CallSignalException("unknown call signal payload type " + payload[0]);
            };
            return CallSignalBody.parseFrom(plaintext);
        } catch (InvalidProtocolBufferException e) {
            throw new CallSignalException("a call signal from " + address + "." + device + " is not a call signal body");
        } catch (CallSignalException e) {
            throw e;
        } catch (Exception e) {
            throw new CallSignalException("a call signal from " + address + "." + device + " does not decrypt: " + e.getMessage());
        }
    }

    /** A call signal that cannot be used; the call goes on without it. */
    static final class CallSignalException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallSignalException(String message) {
            super(message);
        }
    }
}
