package org.securecomm.bench.turn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A minimal TURN client over UDP (RFC 8656, formerly 5766) on one NIO DatagramChannel: one allocation
 * with long-term credentials, channels bound to peers, ChannelData both ways, Refresh, and lifetime 0
 * on close. Deliberately not ice4j (a full ICE agent per allocation, far too heavy per packet for a
 * benchmark).
 *
 * <p>Requests are synchronous (retransmitted after 0.5, 1, 2 s); ChannelData arriving while one
 * waits is discarded. {@link #send} may run on another thread than the requests.
 */
public final class TurnClient implements AutoCloseable {

    /** ChannelData header: channel number, length. */
    public static final int CHANNEL_DATA_HEADER = 4;
    public static final int FIRST_CHANNEL = 0x4000;
    public static final int LAST_CHANNEL = 0x7FFF;
    private static final int UDP = 17;
    private static final long[] RETRANSMIT_MILLIS = {500, 1000, 2000, 4000};
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private final String username;
    private final String password;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(CHANNEL_DATA_HEADER + 65_535);
    private final Map<InetSocketAddress, Integer> channels = new LinkedHashMap<>();
    private String realm;
    private String nonce;
    private byte[] key;
    private InetSocketAddress relayed;
    private boolean closed;

    private TurnClient(DatagramChannel channel, InetSocketAddress server, String username, String password) {
        this.channel = channel;
        this.server = server;
        this.username = username;
        this.password = password;
    }

    /**
     * Opens a UDP socket on the server's local address and allocates a UDP relay for {@code lifetime}
     * (401 challenge, then the request with MESSAGE-INTEGRITY and FINGERPRINT).
     */
    public static TurnClient allocate(InetSocketAddress server, String username, String password, Duration lifetime)
            throws IOException {
        Objects.requireNonNull(server, "server");
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            channel.bind(new InetSocketAddress(server.getAddress(), 0));
            channel.connect(server);
            TurnClient client = new TurnClient(channel, server, username, password);
            client.allocate(lifetime);
            return client;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void allocate(Duration lifetime) throws IOException {
        StunMessage first = transact(request(StunMessage.ALLOCATE).add(StunMessage.REQUESTED_TRANSPORT, new byte[] {UDP, 0, 0, 0}), false);
        if (first.messageClass() == StunMessage.SUCCESS) {
            throw new TurnException("TURN server " + server + " allocated without asking for credentials: not a server to benchmark", 0);
        }
        if (first.errorCode().map(StunMessage.ErrorCode::code).orElse(0) != 401) {
            throw refused("Allocate", first);
        }
        realm = first.text(StunMessage.REALM).orElseThrow(() -> new TurnException("TURN server " + server + " sent 401 without REALM", 401));
        nonce = first.text(StunMessage.NONCE).orElseThrow(() -> new TurnException("TURN server " + server + " sent 401 without NONCE", 401));
        key = StunMessage.longTermKey(username, realm, password);
        StunMessage answer = authenticated(StunMessage.ALLOCATE, b -> b.add(StunMessage.REQUESTED_TRANSPORT, new byte[] {UDP, 0, 0, 0})
                .addInt(StunMessage.LIFETIME, seconds(lifetime)));
        relayed = answer.xorAddress(StunMessage.XOR_RELAYED_ADDRESS)
                .orElseThrow(() -> new TurnException("Allocate success from " + server + " without XOR-RELAYED-ADDRESS", 0));
    }

    /** The address peers see packets come from, and send to. */
    public InetSocketAddress relayedAddress() {
        return relayed;
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Binds the next free channel to {@code peer} (which also installs its permission) and returns the
     * channel number; for a peer already bound, refreshes that binding (channels last 10 minutes,
     * permissions 5).
     */
    public synchronized int bindChannel(InetSocketAddress peer) throws IOException {
        Integer known = channels.get(peer);
        int number = known != null ? known : FIRST_CHANNEL + channels.size();
        if (number > LAST_CHANNEL) {
            throw new IllegalStateException("all " + (LAST_CHANNEL - FIRST_CHANNEL + 1) + " channel numbers are in use");
        }
        authenticated(StunMessage.CHANNEL_BIND, b -> b.addInt(StunMessage.CHANNEL_NUMBER, number << 16)
                .addXorAddress(StunMessage.XOR_PEER_ADDRESS, peer));
        channels.put(peer, number);
        return number;
    }

    /** Refreshes the allocation for {@code lifetime}; zero deletes it. */
    public synchronized void refresh(Duration lifetime) throws IOException {
        authenticated(StunMessage.REFRESH, b -> b.addInt(StunMessage.LIFETIME, seconds(lifetime)));
    }

    /** Refreshes the allocation and every channel binding (for runs longer than a permission's 5 minutes). */
    public synchronized void refreshAll(Duration lifetime) throws IOException {
        refresh(lifetime);
        for (InetSocketAddress peer : channels.keySet().toArray(new InetSocketAddress[0])) {
            bindChannel(peer);
        }
    }

    /**
     * Sends {@code data}'s remaining bytes to the peer of {@code channelNumber} as ChannelData; false
     * when the socket refused it (its send buffer is full). Not synchronized with requests: only one
     * thread may send.
     */
    public boolean send(int channelNumber, ByteBuffer data) throws IOException {
        sendBuffer.clear();
        sendBuffer.putShort((short) channelNumber).putShort((short) data.remaining()).put(data);
        // UDP over UDP needs no padding to 4 bytes (RFC 8656 12.5).
        sendBuffer.flip();
        return channel.write(sendBuffer) > 0;
    }

    /** A ChannelData message received: its channel and bytes. */
    public record ChannelData(int channel, byte[] data) {
    }

    /** Waits up to {@code timeout} for ChannelData (STUN messages arriving meanwhile are skipped); empty on timeout. */
    public synchronized Optional<ChannelData> receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            buffer.clear();
            if (!receiveBlocking(buffer, Math.max(1, left / 1_000_000))) {
                return Optional.empty();
            }
            buffer.flip();
            if (buffer.remaining() >= CHANNEL_DATA_HEADER && (buffer.get(0) & 0xC0) == 0x40) {
                int number = buffer.getShort() & 0xFFFF;
                int length = buffer.getShort() & 0xFFFF;
                if (length <= buffer.remaining()) {
                    byte[] data = new byte[length];
                    buffer.get(data);
                    return Optional.of(new ChannelData(number, data));
                }
            }
        }
    }

    /** Deletes the allocation (Refresh with lifetime 0) and closes the socket; an error of the former is thrown after the latter. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (relayed != null) {
                refresh(Duration.ZERO);
            }
        } finally {
            channel.close();
        }
    }

    // ------------------------------------------------------------------ transactions

    private interface Attributes {
        StunMessage.Builder add(StunMessage.Builder builder);
    }

    private static StunMessage.Builder request(int method) {
        byte[] id = new byte[StunMessage.TRANSACTION_ID_BYTES];
        RANDOM.nextBytes(id);
        return new StunMessage.Builder(StunMessage.type(method, StunMessage.REQUEST), id);
    }

    /** A request with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY; once more with the new nonce after 438 Stale Nonce. */
    private StunMessage authenticated(int method, Attributes attributes) throws IOException {
        for (int attempt = 0; ; attempt++) {
            StunMessage.Builder request = attributes.add(request(method))
                    .add(StunMessage.USERNAME, username).add(StunMessage.REALM, realm).add(StunMessage.NONCE, nonce);
            StunMessage answer = transact(request, true);
            if (answer.messageClass() == StunMessage.SUCCESS) {
                if (answer.integrityMatches(key).orElse(true)) {
                    return answer;
                }
                throw new TurnException(name(method) + " answer from " + server + " has a wrong MESSAGE-INTEGRITY", 0);
            }
            int code = answer.errorCode().map(StunMessage.ErrorCode::code).orElse(0);
            Optional<String> fresh = answer.text(StunMessage.NONCE);
            if (code == 438 && fresh.isPresent() && attempt == 0) {
                nonce = fresh.get();
                continue;
            }
            throw refused(name(method), answer);
        }
    }

    private TurnException refused(String what, StunMessage answer) {
        Optional<StunMessage.ErrorCode> error = answer.errorCode();
        String reason = error.map(StunMessage.ErrorCode::toString).orElse(String.format(Locale.ROOT, "type 0x%04x without ERROR-CODE",
                answer.type()));
        String hint = error.map(e -> e.code() == 401 ? " (wrong or expired credentials)" : e.code() == 486 ? " (allocation quota reached)"
                : e.code() == 508 ? " (no free relay port: raise the server's relay port range)" : "").orElse("");
        return new TurnException(what + " refused by TURN server " + server + ": " + reason + hint, error.map(StunMessage.ErrorCode::code)
                .orElse(0));
    }

    private StunMessage transact(StunMessage.Builder request, boolean withIntegrity) throws IOException {
        byte[] wire = request.encode(withIntegrity ? key : null, true);
        byte[] id = request.transactionId();
        ByteBuffer answer = ByteBuffer.allocate(2048);
        for (long wait : RETRANSMIT_MILLIS) {
            channel.write(ByteBuffer.wrap(wire));
            long deadline = System.nanoTime() + wait * 1_000_000;
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                answer.clear();
                if (!receiveBlocking(answer, Math.max(1, left / 1_000_000))) {
                    break;
                }
                answer.flip();
                if (StunMessage.looksLikeStun(answer)) {
                    StunMessage message = StunMessage.decode(answer);
                    if (Arrays.equals(message.transactionId(), id)) {
                        return message;
                    }
                }
            }
        }
        throw new TurnException(name(request) + " to TURN server " + server + ": no answer within "
                + Arrays.stream(RETRANSMIT_MILLIS).sum() + " ms", 0);
    }

    /** One datagram into {@code buffer} within {@code millis}; false on timeout. */
    private boolean receiveBlocking(ByteBuffer buffer, long millis) throws IOException {
        channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, millis));
        byte[] array = new byte[buffer.remaining()];
        java.net.DatagramPacket packet = new java.net.DatagramPacket(array, array.length);
        try {
            channel.socket().receive(packet);
        } catch (SocketTimeoutException e) {
            return false;
        }
        buffer.put(array, 0, packet.getLength());
        return true;
    }

    private static String name(StunMessage.Builder request) {
        return name(request.type() & ~StunMessage.ERROR);
    }

    private static String name(int method) {
        switch (method) {
            case StunMessage.ALLOCATE:
                return "Allocate";
            case StunMessage.REFRESH:
                return "Refresh";
            case StunMessage.CHANNEL_BIND:
                return "ChannelBind";
            default:
                return String.format(Locale.ROOT, "method 0x%03x", method);
        }
    }

    private static int seconds(Duration lifetime) {
        if (lifetime.isNegative()) {
            throw new IllegalArgumentException("a lifetime cannot be negative: " + lifetime);
        }
        return (int) Math.min(Integer.MAX_VALUE, lifetime.toSeconds());
    }
}
