package org.securecomm.client;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.securecomm.client.account.Credentials;
import org.securecomm.client.account.DeviceNames;
import org.securecomm.client.account.OwnDevices;
import org.securecomm.client.account.PreKeys;
import org.securecomm.client.call.CallManager;
import org.securecomm.client.call.CallTransports;
import org.securecomm.client.call.transport.MediaTransport;
import org.securecomm.client.contacts.ContactDirectory;
import org.securecomm.client.contacts.SafetyNumbers;
import org.securecomm.client.crypto.Vault;
import org.securecomm.client.linking.LinkUri;
import org.securecomm.client.linking.LinkingCrypto;
import org.securecomm.client.linking.LinkingException;
import org.securecomm.client.linking.NewDeviceLink;
import org.securecomm.client.messaging.DeliveryFailureNotice;
import org.securecomm.client.messaging.MessageReceiver;
import org.securecomm.client.messaging.MessageSender;
import org.securecomm.client.messaging.ReliableSend;
import org.securecomm.client.messaging.SendPendingException;
import org.securecomm.client.store.Outbox;
import org.securecomm.client.transport.Backoff;
import org.securecomm.client.transport.Endpoints;
import org.securecomm.client.transport.RelayException;
import org.securecomm.client.store.CallHistoryStore;
import org.securecomm.client.store.Contact;
import org.securecomm.client.store.ContactStore;
import org.securecomm.client.store.MessageStore;
import org.securecomm.client.store.ProfileException;
import org.securecomm.client.store.ProfileStore;
import org.securecomm.client.store.ProtocolStore;
import org.securecomm.client.store.StoredMessage;
import org.securecomm.client.store.TrustedIdentity;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.Identifiers;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.AddDevice;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.Authenticated;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DeviceAdded;
import org.securecomm.protocol.client.v1.DeviceInfo;
import org.securecomm.protocol.client.v1.KeyStock;
import org.securecomm.protocol.client.v1.ListDevices;
import org.securecomm.protocol.client.v1.MediaRoute;
import org.securecomm.protocol.client.v1.Ping;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.Register;
import org.securecomm.protocol.client.v1.Registered;
import org.securecomm.protocol.client.v1.RemoveDevice;
import org.securecomm.protocol.client.v1.RequestVerificationCode;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendProvisioningMessage;
import org.securecomm.protocol.client.v1.UploadKeys;
import org.securecomm.protocol.content.v1.CallEvent;
import org.securecomm.protocol.content.v1.Content;
import org.securecomm.protocol.content.v1.DataMessage;
import org.securecomm.protocol.content.v1.ProvisionedAccount;
import org.securecomm.protocol.content.v1.ProvisioningEnvelope;
import org.securecomm.protocol.content.v1.ReadMessages;
import org.securecomm.protocol.content.v1.ReceiptMessage;
import org.securecomm.protocol.content.v1.SentCopy;
import org.securecomm.protocol.content.v1.SyncMessage;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.util.KeyHelper;

/**
 * One device of one account: its profile, its connection to the relay and everything a messenger
 * does with them. Every operation that touches sessions or the store runs on one worker thread
 * (pushed envelopes queue there in arrival order), so libsignal state is never used concurrently;
 * public methods hand their work to that thread and wait for it.
 */
public final class SecureCommClient implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SecureCommClient.class.getName());
    private static final int LOW_KEY_STOCK = 10;
    private static final Duration SEND_LOG_RETENTION = Duration.ofDays(2);
    private static final Duration SEEN_ENVELOPE_RETENTION = Duration.ofDays(31);
    private static final Duration LINK_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);
    private static final Duration CLOSING_GRACE = Duration.ofSeconds(2);
    public static final String READ_RECEIPTS = "receipts.read";

    private final ProfileStore db;
    private final ClientOptions options;
    private final ProtocolStore protocol;
    private final MessageStore messages;
    private final ContactStore contactStore;
    private final Credentials credentials;
    private volatile Endpoints endpoints;
    private final ReliableSend reliable;
    private final ScheduledExecutorService reconnector;
    private final Backoff reconnectBackoff;
    private final AtomicBoolean reconnectScheduled = new AtomicBoolean();
    private final List<Consumer<ConnectionEvent>> connectionListeners = new CopyOnWriteArrayList<>();
    private volatile ConnectionEvent connectionState = new ConnectionEvent(ConnectionEvent.State.DISCONNECTED, null, "");
    /** Set by the first successful {@link #connect}: from then on a dropped connection is re-opened in the background. */
    private volatile boolean autoReconnect;
    /** The connection whose Closing said this device connected elsewhere or was removed: no reconnect after it. */
    private volatile RelayConnection sentAway;
    /** The key stock the relay reported at the last authentication. */
    private volatile KeyStock keyStock = KeyStock.getDefaultInstance();
    private final OwnDevices ownDevices;
    private final PreKeys preKeys;
    private final MessageSender sender;
    private final MessageReceiver receiver;
    private final ContactDirectory directory;
    private final CallManager calls;
    private final ScheduledExecutorService worker;
    private final List<Consumer<StoredMessage>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<TrustedIdentity>> identityListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<DeliveryFailureNotice>> deliveryFailureListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong lastTimestamp = new AtomicLong();
    private volatile Thread workerThread;
    private volatile RelayConnection connection;
    private volatile CompletableFuture<Void> queueEmpty = new CompletableFuture<>();
    private volatile boolean closing;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SecureCommClient(ProfileStore db, ClientOptions options) {
        this.db = db;
        this.options = options;
        this.protocol = new ProtocolStore(db, options.clock());
        this.messages = new MessageStore(db);
        this.contactStore = new ContactStore(db);
        this.credentials = Credentials.load(db);
        java.util.Random random = new java.security.SecureRandom();
        this.endpoints = new Endpoints(credentials.servers(), random, options.randomFirstEndpoint());
        this.reconnectBackoff = new Backoff(options.reconnectMin(), options.reconnectMax(), random);
        this.ownDevices = new OwnDevices(db, credentials.deviceId());
        this.preKeys = new PreKeys(db, protocol, options.clock(), options.preKeyRotation());
        this.reliable = new ReliableSend(new Outbox(db), this::call, options.clock(), options.sendDeadline(),
                () -> new Backoff(options.reconnectMin(), options.reconnectMax(), random), duration -> Thread.sleep(duration.toMillis()));
        this.sender = new MessageSender(protocol, this::call, ownDevices, credentials.address(), credentials.deviceId(), reliable);
        this.receiver = new MessageReceiver(db, protocol, messages, contactStore, ownDevices, sender, options.clock(),
                credentials.address(), credentials.deviceId(), new ReceiverEffects());
        this.directory = new ContactDirectory(this::call, credentials.address());
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "securecomm-client");
            thread.setDaemon(true);
            workerThread = thread;
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker = executor;
        ScheduledThreadPoolExecutor reconnecting = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "securecomm-reconnect");
            thread.setDaemon(true);
            return thread;
        });
        reconnecting.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.reconnector = reconnecting;
        this.calls = new CallManager(this::call, this::sendAsync, protocol, sender, new CallHistoryStore(db), options.clock(), credentials.address(),
                credentials.deviceId(), executor, new CallsClient(), this::openForwarder, CallTransports.directPaths(this::call));
        protocol.onIdentityChange(change -> identityListeners.forEach(listener -> listener.accept(change)));
        worker.scheduleWithFixedDelay(this::purgeExpiredQuietly, 0, 1, TimeUnit.SECONDS);
        worker.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A connection can die without a close reaching this side (a NAT that forgot it, a cable
     * pulled): a ping that gets no answer in time aborts it, so the next request reconnects and a
     * call in progress rejoins, instead of waiting for pushes that never come.
     */
    private void heartbeat() {
        RelayConnection current = connection;
        if (current == null || !current.isOpen()) {
            if (current != null && autoReconnect && sentAway != current) {
                scheduleReconnect(Duration.ZERO); // a no-op while a reconnect is already planned
            }
            return;
        }
        if (reliable.anyPending()) {
            // A resend the relay asked to retry (overloaded, a shard moving) with no reconnect to trigger it.
            flushOutbox();
        }
        current.call(ClientMessage.newBuilder().setPing(Ping.getDefaultInstance()))
                .orTimeout(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((pong, failure) -> {
                    if (failure != null && current.isOpen() && !closing) {
                        LOG.log(System.Logger.Level.INFO, "the relay did not answer a ping: reconnecting");
                        current.abort();
                    }
                });
    }

    // ------------------------------------------------------------ creating and opening

    /**
     * Registers a new account and creates its profile. {@code code} is asked after the relay sent
     * the verification code (email, or the dev node's console).
     */
    public static SecureCommClient register(Path profile, char[] passphrase, ClientOptions options, URI server, String username,
                                            String identifier, String deviceName, Supplier<String> code) {
        return register(profile, passphrase, options, List.of(server), username, identifier, deviceName, code);
    }

    /**
     * Registers on the cluster reached at {@code servers} (its nodes, or one load-balanced
     * address; every URL is stored in the profile). Registration talks to the first URL that
     * accepts a connection.
     */
    public static SecureCommClient register(Path profile, char[] passphrase, ClientOptions options, List<URI> servers, String username,
                                            String identifier, String deviceName, Supplier<String> code) {
        List<URI> endpoints = Endpoints.check(servers);
        if (ProfileStore.exists(profile)) {
            throw new ProfileException("a profile already exists in " + profile);
        }
        String normalized = Identifiers.normalize(identifier);
        IdentityKeyPair identity = IdentityKeyPair.generate();
        int registrationId = KeyHelper.generateRegistrationId(false);
        Registered registered;
        try (RelayConnection anonymous = connectToAny(endpoints, options)) {
            join(anonymous.call(ClientMessage.newBuilder().setRequestVerificationCode(
                    RequestVerificationCode.newBuilder().setIdentifier(normalized))));
            registered = join(anonymous.call(ClientMessage.newBuilder().setRegister(Register.newBuilder()
                    .setIdentifier(normalized)
                    .setVerificationCode(code.get().strip())
                    .setUsername(username)
                    .setRegistrationId(registrationId)
                    .setIdentityKey(ByteString.copyFrom(identity.getPublicKey().serialize()))
                    .setEncryptedDeviceName(DeviceNames.seal(identity, deviceName))))).getRegistered();
        }
        Credentials credentials = new Credentials(endpoints, registered.getAccountId(), registered.getAddress(), registered.getDeviceId(),
                registered.getPassword());
        return create(profile, passphrase, options, identity, registrationId, credentials, client -> { });
    }

    /** Opens an existing profile (does not connect). */
    public static SecureCommClient open(Path profile, char[] passphrase, ClientOptions options) {
        ProfileStore db = ProfileStore.open(profile, passphrase);
        try {
            if (!Credentials.present(db)) {
                throw new ProfileException("the profile in " + profile + " is not registered or linked");
            }
            return new SecureCommClient(db, options);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /**
     * The new device's side of linking: shows the link (to copy or scan on the existing device),
     * then the confirmation code; once the user confirmed the code on the existing device, stores
     * the account in a new profile and connects.
     */
    public static SecureCommClient link(Path profile, char[] passphrase, ClientOptions options, URI server,
                                        Consumer<String> showLink, Consumer<String> showCode) {
        return link(profile, passphrase, options, List.of(server), showLink, showCode);
    }

    /** Like {@link #link(Path, char[], ClientOptions, URI, Consumer, Consumer)} with the cluster's relay URLs (the first is used to link). */
    public static SecureCommClient link(Path profile, char[] passphrase, ClientOptions options, List<URI> servers,
                                        Consumer<String> showLink, Consumer<String> showCode) {
        List<URI> endpoints = Endpoints.check(servers);
        URI server = endpoints.get(0);
        if (ProfileStore.exists(profile)) {
            throw new ProfileException("a profile already exists in " + profile);
        }
        ProvisionedAccount account;
        try (NewDeviceLink link = NewDeviceLink.open(server, options.tls(), options.timeout())) {
            showLink.accept(link.link().format());
            showCode.accept(link.awaitConfirmationCode(LINK_TIMEOUT));
            account = link.awaitAccount(LINK_TIMEOUT);
        }
        IdentityKeyPair identity;
        try {
            identity = new IdentityKeyPair(account.getIdentityKeyPair().toByteArray());
        } catch (InvalidKeyException e) {
            throw new LinkingException("the existing device sent an invalid identity key");
        }
        Credentials credentials = new Credentials(endpoints, account.getAccountId(), account.getAddress(), account.getDeviceId(),
                account.getPassword());
        return create(profile, passphrase, options, identity, account.getRegistrationId(), credentials, client -> {
            client.ownDevices.replace(new java.util.TreeSet<>(account.getOtherDeviceIdsList()));
            ContactDirectory.applyContactList(client.contactStore, client.protocol, account.getContacts(), options.clock().millis());
        });
    }

    /** An unauthenticated connection to the first of {@code endpoints} that answers. */
    private static RelayConnection connectToAny(List<URI> endpoints, ClientOptions options) {
        RuntimeException last = null;
        for (URI endpoint : endpoints) {
            try {
                return RelayConnection.connect(endpoint, options.tls(), push -> { }, options.timeout());
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    private static SecureCommClient create(Path profile, char[] passphrase, ClientOptions options, IdentityKeyPair identity,
                                           int registrationId, Credentials credentials, Consumer<SecureCommClient> initialize) {
        ProfileStore db = ProfileStore.create(profile, passphrase, options.kdfMemoryKib(), options.kdfIterations());
        SecureCommClient client;
        try {
            new ProtocolStore(db, options.clock()).setLocalIdentity(identity, registrationId, credentials.address());
            credentials.save(db);
            client = new SecureCommClient(db, options);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        try {
            client.onWorker(() -> {
                initialize.accept(client);
                return null;
            });
            client.connect();
            client.onWorker(() -> client.upload(client.preKeys.initialUpload()));
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    // ------------------------------------------------------------ connection

    /**
     * Connects and authenticates (trying each relay URL of the account once, from the current
     * one); from then on pushed envelopes are processed, and a connection that drops is opened
     * again in the background, on the next URL, with backoff. Rotates the signed prekey when due,
     * tops up one-time keys when low, refreshes the list of own devices and resends what the
     * outbox holds.
     */
    public void connect() {
        if (!openAuthenticated(endpoints.size())) {
            return;
        }
        autoReconnect = true;
        onWorker(() -> {
            maintainKeys(keyStock);
            refreshOwnDevices();
            messages.prune(now() - SEND_LOG_RETENTION.toMillis(), now() - SEEN_ENVELOPE_RETENTION.toMillis());
            flushOutbox();
            return null;
        });
    }

    /**
     * Opens and authenticates a connection, trying up to {@code tries} endpoints from the current
     * one (moving to the next after each failure). Answers false when a connection was already
     * open. Holds the client's lock while connecting, never while waiting for the worker.
     *
     * @throws RuntimeException the last failure when every try failed
     */
    private synchronized boolean openAuthenticated(int tries) {
        if (closing) {
            throw new IllegalStateException("the client is closed");
        }
        if (connection != null && connection.isOpen()) {
            return false;
        }
        RuntimeException last = null;
        for (int i = 0; i < tries; i++) {
            URI endpoint = endpoints.current();
            queueEmpty = new CompletableFuture<>();
            RelayConnection opened = null;
            try {
                java.util.concurrent.atomic.AtomicReference<RelayConnection> self = new java.util.concurrent.atomic.AtomicReference<>();
                opened = RelayConnection.connect(endpoint, options.tls(), push -> onPush(self.get(), push), options.timeout());
                self.set(opened);
                connection = watched(opened);
                keyStock = join(opened.call(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                        .setAccountId(credentials.accountId()).setDeviceId(credentials.deviceId()).setPassword(credentials.password()))))
                        .getAuthenticated().getKeyStock();
                if (closing) {
                    opened.close();
                    throw new IllegalStateException("the client is closed");
                }
                reconnectBackoff.reset();
                publish(ConnectionEvent.State.CONNECTED, endpoint, "");
                return true;
            } catch (RuntimeException e) {
                last = e;
                if (opened != null) {
                    opened.abort();
                }
                if (e instanceof RelayException refused && refused.code() == org.securecomm.protocol.client.v1.ErrorCode.AUTHENTICATION_FAILED) {
                    throw e; // the same on every node of the cluster
                }
                LOG.log(System.Logger.Level.INFO, "could not connect to " + endpoint + ": " + e.getMessage());
                endpoints.rotate();
            }
        }
        throw last;
    }

    /**
     * Re-opens a dropped connection in the background, one endpoint per attempt with backoff, so
     * pushes resume (and the outbox is resent) without waiting for the app's next request.
     */
    private void scheduleReconnect(Duration delay) {
        if (closing || !autoReconnect || !reconnectScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            reconnector.schedule(this::reconnectInBackground, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            reconnectScheduled.set(false);
        }
    }

    private void reconnectInBackground() {
        reconnectScheduled.set(false);
        if (closing || isConnected()) {
            return;
        }
        URI endpoint = endpoints.current();
        publish(ConnectionEvent.State.RECONNECTING, endpoint, "");
        try {
            if (openAuthenticated(1)) {
                worker.execute(() -> guarded("resending the outbox", this::flushOutbox));
            }
        } catch (RelayException e) {
            if (e.code() == org.securecomm.protocol.client.v1.ErrorCode.AUTHENTICATION_FAILED) {
                autoReconnect = false;
                publish(ConnectionEvent.State.DISCONNECTED, endpoint, "the relay refused this device's credentials: " + e.getMessage());
                return;
            }
            scheduleReconnect(reconnectBackoff.next());
        } catch (RuntimeException e) {
            if (!closing) {
                scheduleReconnect(reconnectBackoff.next());
            }
        }
    }

    private void publish(ConnectionEvent.State state, URI endpoint, String detail) {
        ConnectionEvent event = new ConnectionEvent(state, endpoint, detail);
        connectionState = event;
        connectionListeners.forEach(listener -> {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a connection listener failed: " + e);
            }
        });
    }

    /** Resends what the outbox holds; a refusal marks the message failed. On the worker. */
    private void flushOutbox() {
        if (!reliable.anyPending()) {
            return;
        }
        int accepted = reliable.flush((entry, refusal) -> {
            LOG.log(System.Logger.Level.INFO, "the relay refused a pending send: " + refusal.getMessage());
            if (refusal.code() == org.securecomm.protocol.client.v1.ErrorCode.MISMATCHED_DEVICES) {
                sender.correctPending(entry.destination(), refusal.error().getMismatchedDevices());
            }
            messages.markFailed(entry.id(), entry.destination(), refusal.code().getNumber());
        });
        if (accepted > 0) {
            LOG.log(System.Logger.Level.INFO, "resent " + accepted + " pending send(s)");
        }
    }

    /** Called with every connection state change (on the thread that made it: keep it short). */
    public void onConnectionState(Consumer<ConnectionEvent> listener) {
        connectionListeners.add(listener);
    }

    /** The latest connection state. */
    public ConnectionEvent connectionState() {
        return connectionState;
    }

    public boolean isConnected() {
        RelayConnection current = connection;
        return current != null && current.isOpen();
    }

    /** Waits until everything queued for this device when it connected has been processed. */
    public boolean awaitQueueEmpty(Duration timeout) {
        try {
            queueEmpty.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Waits until the worker has processed everything handed to it so far. */
    public void drain() {
        onWorker(() -> null);
    }

    private void onPush(RelayConnection source, Push push) {
        switch (push.getKindCase()) {
            case ENVELOPE -> worker.execute(() -> guarded("an envelope", () -> receiver.handle(push.getEnvelope())));
            case QUEUE_EMPTY -> {
                CompletableFuture<Void> current = queueEmpty;
                worker.execute(() -> current.complete(null));
            }
            case PRE_KEY_STOCK_LOW -> worker.execute(() -> guarded("a key upload", () -> maintainKeys(push.getPreKeyStockLow().getKeyStock())));
            case CLOSING -> {
                // The socket closes next and is re-opened elsewhere (a draining node), unless
                // the relay sent this device away: another connection of it replaced this one
                // (reconnecting would evict that one in turn) or the device was removed.
                String reason = push.getClosing().getReason();
                if (reason.contains("connected again elsewhere") || reason.contains("removed")) {
                    sentAway = source;
                } else {
                    // A draining node closes right after its Closing push; if its close does not
                    // come (a node stuck in shutdown), leave anyway: the drop handler reconnects.
                    try {
                        reconnector.schedule(() -> {
                            if (source != null && source.isOpen()) {
                                source.abort();
                            }
                        }, CLOSING_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException closed) {
                        // the client is closing
                    }
                }
            }
            case PROVISIONING_MESSAGE, KIND_NOT_SET -> {
            }
            default -> worker.execute(() -> guarded("a call push", () -> calls.onPush(push)));
        }
    }

    private void maintainKeys(KeyStock stock) {
        preKeys.rotateIfDue().ifPresent(this::upload);
        if (stock.getOneTimePreKeys() < LOW_KEY_STOCK || stock.getKyberPreKeys() < LOW_KEY_STOCK) {
            upload(preKeys.replenish());
        }
    }

    private Void upload(UploadKeys keys) {
        call(ClientMessage.newBuilder().setUploadKeys(keys));
        return null;
    }

    private void refreshOwnDevices() {
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        call(ClientMessage.newBuilder().setListDevices(ListDevices.newBuilder())).getDeviceList().getDevicesList()
                .forEach(device -> ids.add(device.getDeviceId()));
        ownDevices.replace(ids);
    }

    private Response call(ClientMessage.Builder request) {
        RelayConnection current = connection;
        if (current == null || !current.isOpen()) {
            if (Thread.currentThread() == workerThread && request.getBodyCase() != ClientMessage.BodyCase.AUTHENTICATE) {
                reconnectFromWorker();
                current = connection;
            } else if (current == null) {
                throw new IllegalStateException("not connected");
            }
        }
        return join(current.call(request));
    }

    /** A request whose answer the caller does not wait for; from the worker it reconnects first if needed. */
    private CompletableFuture<Response> sendAsync(ClientMessage.Builder request) {
        RelayConnection current = connection;
        if ((current == null || !current.isOpen()) && Thread.currentThread() == workerThread) {
            try {
                reconnectFromWorker();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            current = connection;
        }
        return current == null ? CompletableFuture.failedFuture(new IllegalStateException("not connected")) : current.call(request);
    }

    /** The socket dropped while the worker needs it: open a new one (any endpoint) and authenticate again. */
    private void reconnectFromWorker() {
        if (openAuthenticated(endpoints.size())) {
            worker.execute(() -> guarded("resending the outbox", this::flushOutbox));
        }
    }

    /**
     * A connection that drops on its own (not closed by this client) lets a call in progress get
     * back in: even when a newer connection already replaced it (a request on the worker
     * reconnected first), because the relay counted the call's seat on the one that dropped.
     */
    private RelayConnection watched(RelayConnection opened) {
        opened.closed().whenComplete((status, failure) -> {
            if (!closing) {
                try {
                    worker.execute(() -> guarded("a lost connection", calls::onConnectionLost));
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    // the client is closing
                }
                if (connection == opened && connectionState.state() == ConnectionEvent.State.CONNECTED) {
                    if (sentAway == opened || !autoReconnect) {
                        publish(ConnectionEvent.State.DISCONNECTED, connectionState.endpoint(), "the relay closed the connection");
                    } else {
                        // Any node serves any device: the next one, so a draining node is left at once.
                        URI next = endpoints.rotate();
                        publish(ConnectionEvent.State.RECONNECTING, next, "the connection to " + connectionState.endpoint() + " dropped");
                        scheduleReconnect(reconnectBackoff.next());
                    }
                }
            }
        });
        return opened;
    }

    private MediaTransport openForwarder(MediaRoute route) {
        return CallTransports.forwarder(route, options.timeout());
    }

    /** Calls: placing, answering, history. */
    public CallManager calls() {
        return calls;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause() == null ? e : e.getCause());
        }
    }

    // ------------------------------------------------------------ messages

    public void onMessage(Consumer<StoredMessage> listener) {
        messageListeners.add(listener);
    }

    public void onIdentityChange(Consumer<TrustedIdentity> listener) {
        identityListeners.add(listener);
    }

    /**
     * Called (on the client's worker thread) when another cluster refused a message after this
     * device's relay had accepted it for that cluster; the stored message is already marked failed then.
     * {@link #resend} sends it again.
     */
    public void onDeliveryFailure(Consumer<DeliveryFailureNotice> listener) {
        deliveryFailureListeners.add(listener);
    }

    /**
     * Sends a text to a contact: one ciphertext per device of the contact, and a sync copy to
     * this account's other devices. Answers the stored outgoing message.
     *
     * @throws org.securecomm.client.messaging.IdentityChangedException when the contact's new identity is not accepted yet
     */
    public StoredMessage send(String address, String text) {
        String to = ContactDirectory.checkAddress(address);
        return onWorker(() -> {
            long sentAt = nextTimestamp();
            int timer = contactStore.expireTimer(to);
            byte[] id = Vault.random(16);
            DataMessage data = DataMessage.newBuilder().setMessageId(ByteString.copyFrom(id)).setSentAtMillis(sentAt)
                    .setText(text).setExpireTimerSeconds(timer).build();
            StoredMessage stored = new StoredMessage(id, to, credentials.address(), credentials.deviceId(), true, text, sentAt, now(),
                    false, false, timer, timer > 0 ? sentAt + timer * 1000L : null);
            // Stored first: a send that outlives its deadline is shown as pending and resent from the outbox.
            messages.insert(stored);
            try {
                deliverWithSync(to, data, sentAt);
            } catch (SendPendingException e) {
                LOG.log(System.Logger.Level.INFO, "message " + stored.idHex() + " is pending: " + e.getMessage());
            } catch (RuntimeException e) {
                messages.delete(id);
                throw e;
            }
            contactStore.put(to, null, now());
            return stored;
        });
    }

    /**
     * Sends an outgoing message again, under its own id and original timestamp, to every device of
     * its conversation (after a delivery failure: the device list was corrected). Receivers and
     * relays drop a copy they already have by that id; this account's other devices already have
     * the sync transcript from the first send. Answers the message with its failure cleared.
     *
     * @throws IllegalArgumentException when this device has no such outgoing message (any more)
     */
    public StoredMessage resend(StoredMessage message) {
        return onWorker(() -> {
            StoredMessage stored = messages.find(message.id()).filter(StoredMessage::outgoing)
                    .orElseThrow(() -> new IllegalArgumentException("no outgoing message " + message.idHex() + " to resend"));
            DataMessage data = DataMessage.newBuilder().setMessageId(ByteString.copyFrom(stored.id())).setSentAtMillis(stored.sentAt())
                    .setText(stored.text()).setExpireTimerSeconds(stored.expireTimerSeconds()).build();
            byte[] bytes = Content.newBuilder().setData(data).build().toByteArray();
            messages.logSent(stored.sentAt(), stored.conversation(), bytes);
            try {
                sender.send(stored.conversation(), bytes, null, stored.id(), stored.sentAt());
            } catch (SendPendingException e) {
                LOG.log(System.Logger.Level.INFO, "message " + stored.idHex() + " is pending: " + e.getMessage());
            }
            messages.clearFailure(stored.id());
            return messages.find(stored.id()).orElseThrow();
        });
    }

    /** Where an outgoing message stands: in the outbox (not answered yet), accepted by the relay, or refused. */
    public enum DeliveryState { PENDING, SENT, FAILED }

    /** The delivery state of this device's outgoing {@code message} (after a restart too: the outbox is in the profile). */
    public DeliveryState deliveryState(StoredMessage message) {
        return onWorker(() -> {
            if (reliable.pending(message.id())) {
                return DeliveryState.PENDING;
            }
            return messages.find(message.id()).map(StoredMessage::failure).isPresent() ? DeliveryState.FAILED : DeliveryState.SENT;
        });
    }

    /** Sets the conversation's disappearing-messages timer (0 = off) on every device of both parties. */
    public void setExpireTimer(String address, int seconds) {
        String to = ContactDirectory.checkAddress(address);
        onWorker(() -> {
            contactStore.put(to, null, now());
            contactStore.setExpireTimer(to, seconds);
            long sentAt = nextTimestamp();
            DataMessage update = DataMessage.newBuilder().setMessageId(ByteString.copyFrom(Vault.random(16))).setSentAtMillis(sentAt)
                    .setExpireTimerSeconds(seconds).setTimerUpdate(true).build();
            deliverWithSync(to, update, sentAt);
            return null;
        });
    }

    /** Marks the conversation's incoming messages read; tells the contact (read receipts) and own devices. */
    public int markRead(String conversation) {
        return onWorker(() -> {
            List<ByteString> ids = new ArrayList<>();
            for (StoredMessage message : messages.conversation(conversation)) {
                if (!message.outgoing() && !message.read()) {
                    messages.markRead(message.id(), now());
                    ids.add(ByteString.copyFrom(message.id()));
                }
            }
            if (!ids.isEmpty()) {
                if (db.setting(READ_RECEIPTS).map(Boolean::parseBoolean).orElse(true)) {
                    sendQuietly(conversation, Content.newBuilder().setReceipt(ReceiptMessage.newBuilder()
                            .setType(ReceiptMessage.Type.READ).addAllMessageIds(ids)).build());
                }
                sendQuietly(credentials.address(), Content.newBuilder().setSync(SyncMessage.newBuilder().setRead(
                        ReadMessages.newBuilder().setConversation(conversation).addAllMessageIds(ids))).build());
            }
            return ids.size();
        });
    }

    public List<StoredMessage> conversation(String address) {
        return onWorker(() -> messages.conversation(address));
    }

    public List<StoredMessage> allMessages() {
        return onWorker(messages::all);
    }

    /** Incoming messages not shown yet; {@link #markShown} records that the user saw one. */
    public List<StoredMessage> unshownMessages() {
        return onWorker(messages::unprinted);
    }

    public void markShown(StoredMessage message) {
        onWorker(() -> {
            messages.markPrinted(message.id());
            return null;
        });
    }

    /**
     * Sends a message to every device of {@code destination} and, in the same request, its sync
     * transcript to this account's other devices, so every device shows the conversation. Both
     * are logged for resends after a decryption error.
     */
    private void deliverWithSync(String destination, DataMessage data, long sentAt) {
        byte[] bytes = Content.newBuilder().setData(data).build().toByteArray();
        byte[] transcript = Content.newBuilder().setSync(SyncMessage.newBuilder().setSent(
                SentCopy.newBuilder().setDestination(destination).setMessage(data))).build().toByteArray();
        messages.logSent(sentAt, destination, bytes);
        if (!destination.equals(credentials.address())) {
            messages.logSent(sentAt, credentials.address(), transcript);
        }
        // The data message's id is the transport id: a later DELIVERY_FAILURE names it.
        sender.send(destination, bytes, transcript, data.getMessageId().toByteArray(), sentAt);
    }

    /** Logs the content (for resends after a decryption error) and sends it to every device of {@code destination}. */
    private void deliver(String destination, Content content, long sentAt) {
        byte[] bytes = content.toByteArray();
        messages.logSent(sentAt, destination, bytes);
        sender.send(destination, bytes, sentAt);
    }

    /** For receipts and syncs: a failure is logged, never surfaced to the user's action. */
    private void sendQuietly(String destination, Content content) {
        guarded("sending to " + destination, () -> deliver(destination, content, nextTimestamp()));
    }

    private void purgeExpiredQuietly() {
        guarded("deleting expired messages", () -> messages.deleteExpired(now()));
    }

    private final class ReceiverEffects implements MessageReceiver.Effects {
        @Override
        public void acknowledge(UUID envelopeId) {
            RelayConnection current = connection;
            if (current != null && current.isOpen()) {
                current.call(ClientMessage.newBuilder().setAcknowledgeEnvelopes(
                        AcknowledgeEnvelopes.newBuilder().addEnvelopeIds(EnvelopeIds.toBytes(envelopeId))));
            }
        }

        @Override
        public void stored(StoredMessage message) {
            messageListeners.forEach(listener -> listener.accept(message));
        }

        @Override
        public void sendReceipt(String to, ReceiptMessage.Type type, List<ByteString> messageIds) {
            sendQuietly(to, Content.newBuilder().setReceipt(ReceiptMessage.newBuilder().setType(type).addAllMessageIds(messageIds)).build());
        }

        @Override
        public void callEvent(CallEvent event) {
            calls.onSync(event);
        }

        @Override
        public void deliveryFailure(DeliveryFailureNotice notice) {
            deliveryFailureListeners.forEach(listener -> listener.accept(notice));
        }

        @Override
        public void resend(String destination, byte[] content) {
            guarded("resending to " + destination, () -> {
                long sentAt = nextTimestamp();
                messages.logSent(sentAt, destination, content);
                sender.send(destination, content, sentAt);
            });
        }
    }

    // ------------------------------------------------------------ contacts and safety numbers

    /**
     * Adds a contact by address, or by email/phone through hashed discovery, and starts sessions
     * with its devices (which also learns its identity key for safety numbers).
     */
    public Contact addContact(String addressOrIdentifier, String name) {
        return onWorker(() -> {
            String address = directory.resolve(addressOrIdentifier);
            contactStore.put(address, name, now());
            if (protocol.sessionDevices(address).isEmpty()) {
                sender.fetchSessions(address, 0);
            }
            syncContacts();
            return contactStore.find(address).orElseThrow();
        });
    }

    public List<Contact> contacts() {
        return onWorker(contactStore::list);
    }

    public boolean renameContact(String address, String name) {
        return onWorker(() -> {
            boolean renamed = contactStore.rename(address, name);
            if (renamed) {
                syncContacts();
            }
            return renamed;
        });
    }

    public boolean removeContact(String address) {
        return onWorker(() -> {
            boolean removed = contactStore.remove(address);
            if (removed) {
                syncContacts();
            }
            return removed;
        });
    }

    public Optional<TrustedIdentity> identity(String address) {
        return onWorker(() -> protocol.trustedIdentity(address));
    }

    public SafetyNumbers safetyNumbers(String address) {
        return onWorker(() -> {
            TrustedIdentity remote = protocol.trustedIdentity(address)
                    .orElseThrow(() -> new IllegalArgumentException("no identity key known for " + address + ": add the contact first"));
            return SafetyNumbers.of(credentials.address(), protocol.getIdentityKeyPair().getPublicKey(), address, remote.key());
        });
    }

    /** Marks the contact verified when {@code number} is the safety number both devices show. */
    public boolean verify(String address, String number) {
        return verifyWith(address, numbers -> numbers.matchesNumber(number));
    }

    /** Marks the contact verified when a scanned QR payload from the contact's device matches. */
    public boolean verifyScanned(String address, byte[] scanned) {
        return verifyWith(address, numbers -> numbers.matchesScanned(scanned));
    }

    private boolean verifyWith(String address, java.util.function.Predicate<SafetyNumbers> check) {
        SafetyNumbers numbers = safetyNumbers(address);
        if (!check.test(numbers)) {
            return false;
        }
        onWorker(() -> {
            protocol.setVerified(address, true);
            syncContacts();
            return null;
        });
        return true;
    }

    /** Accepts a contact's changed identity key: sending resumes (the contact stays unverified). */
    public void acceptIdentity(String address) {
        onWorker(() -> {
            protocol.acceptIdentity(address);
            return null;
        });
    }

    private void syncContacts() {
        if (!ownDevices.others().isEmpty()) {
            sendQuietly(credentials.address(), Content.newBuilder().setSync(SyncMessage.newBuilder()
                    .setContacts(directory.contactList(contactStore, protocol))).build());
        }
    }

    // ------------------------------------------------------------ devices

    public List<DeviceEntry> devices() {
        return onWorker(() -> {
            List<DeviceEntry> entries = new ArrayList<>();
            IdentityKeyPair identity = protocol.getIdentityKeyPair();
            for (DeviceInfo device : call(ClientMessage.newBuilder().setListDevices(ListDevices.newBuilder())).getDeviceList().getDevicesList()) {
                entries.add(new DeviceEntry(device.getDeviceId(), DeviceNames.open(identity, device.getEncryptedName()),
                        device.getCreatedAtMillis(), device.getDeviceId() == credentials.deviceId()));
            }
            return entries;
        });
    }

    public void removeDevice(int deviceId) {
        onWorker(() -> {
            call(ClientMessage.newBuilder().setRemoveDevice(RemoveDevice.newBuilder().setDeviceId(deviceId)));
            ownDevices.remove(deviceId);
            protocol.deleteSession(new org.signal.libsignal.protocol.SignalProtocolAddress(credentials.address(), deviceId));
            return null;
        });
    }

    /**
     * The existing device's side of linking: sends this device's ephemeral key to the new device,
     * asks the user for the code the NEW device shows, and only when it matches adds the device
     * and sends it the account (identity, credentials, contacts). Answers the new device id.
     *
     * @throws LinkingException when the code does not match (nothing was added or sent)
     */
    public int linkDevice(String link, String deviceName, Supplier<String> confirmationCode) {
        LinkUri uri = LinkUri.parse(link);
        return onWorker(() -> {
            ECKeyPair ephemeral = ECKeyPair.generate();
            LinkingCrypto agreed = LinkingCrypto.derive(ephemeral.getPrivateKey(), uri.newDeviceKey(), ephemeral.getPublicKey(),
                    uri.newDeviceKey());
            sendProvisioning(uri, ProvisioningEnvelope.newBuilder()
                    .setHelloPublicKey(ByteString.copyFrom(ephemeral.getPublicKey().serialize())).build());
            if (!agreed.codeMatches(confirmationCode.get())) {
                throw new LinkingException("the confirmation code does not match the new device's: linking refused");
            }
            IdentityKeyPair identity = protocol.getIdentityKeyPair();
            int registrationId = KeyHelper.generateRegistrationId(false);
            DeviceAdded added = call(ClientMessage.newBuilder().setAddDevice(AddDevice.newBuilder()
                    .setRegistrationId(registrationId).setEncryptedName(DeviceNames.seal(identity, deviceName)))).getDeviceAdded();
            java.util.Set<Integer> others = new java.util.TreeSet<>(ownDevices.others());
            others.add(credentials.deviceId());
            ProvisionedAccount account = ProvisionedAccount.newBuilder()
                    .setIdentityKeyPair(ByteString.copyFrom(identity.serialize()))
                    .setAccountId(credentials.accountId())
                    .setAddress(credentials.address())
                    .setDeviceId(added.getDeviceId())
                    .setPassword(added.getPassword())
                    .setRegistrationId(registrationId)
                    .setDeviceName(deviceName)
                    .setContacts(directory.contactList(contactStore, protocol))
                    .addAllOtherDeviceIds(others)
                    .build();
            sendProvisioning(uri, ProvisioningEnvelope.newBuilder()
                    .setSealedAccount(ByteString.copyFrom(agreed.seal(account.toByteArray()))).build());
            ownDevices.add(added.getDeviceId());
            return added.getDeviceId();
        });
    }

    private void sendProvisioning(LinkUri uri, ProvisioningEnvelope body) {
        call(ClientMessage.newBuilder().setSendProvisioningMessage(SendProvisioningMessage.newBuilder()
                .setChannelId(uri.channelId()).setBody(body.toByteString())));
    }

    // ------------------------------------------------------------ accessors for tests and tools

    public String address() {
        return credentials.address();
    }

    public int deviceId() {
        return credentials.deviceId();
    }

    /** The relay's id of this account (not secret: the device authenticates with it; tests locate its entities). */
    public String accountId() {
        return credentials.accountId();
    }

    /** The first relay URL of the account (linking a new device hands it the same cluster). */
    public URI server() {
        return endpoints.all().get(0);
    }

    /** Every relay URL of the account's cluster, as stored in the profile. */
    public List<URI> servers() {
        return endpoints.all();
    }

    /**
     * Replaces the account's relay URLs (stored in the profile); the current connection stays
     * until it drops, then the new list is used.
     */
    public void setServers(List<URI> servers) {
        List<URI> checked = Endpoints.check(servers);
        onWorker(() -> {
            Credentials.saveServers(db, checked);
            return null;
        });
        endpoints = new Endpoints(checked, new java.security.SecureRandom(), options.randomFirstEndpoint());
    }

    public Path profileDir() {
        return db.dir();
    }

    /** libsignal's stores of this device (tests simulate lost state through it). */
    public ProtocolStore protocolStore() {
        return protocol;
    }

    /** Runs {@code work} on the client's worker thread, where every store and session access happens. */
    public <T> T onWorker(Callable<T> work) {
        if (Thread.currentThread() == workerThread) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return worker.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private long nextTimestamp() {
        long now = now();
        return lastTimestamp.updateAndGet(last -> Math.max(now, last + 1));
    }

    private long now() {
        return options.clock().millis();
    }

    private static void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "failed while handling " + what + ": " + e);
        }
    }

    /** Lets the call manager run on the worker and tell the account's other devices about calls. */
    private final class CallsClient implements CallManager.Client {
        @Override
        public <T> T onWorker(Callable<T> work) {
            return SecureCommClient.this.onWorker(work);
        }

        @Override
        public void syncToOwnDevices(CallEvent event) {
            if (!ownDevices.others().isEmpty()) {
                sendQuietly(credentials.address(), Content.newBuilder().setSync(SyncMessage.newBuilder().setCallEvent(event)).build());
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        reconnector.shutdownNow();
        calls.shutdown();
        try {
            worker.submit(() -> null).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing without waiting for the worker: " + e);
        }
        RelayConnection current = connection;
        if (current != null) {
            current.close();
        }
        worker.shutdownNow();
        publish(ConnectionEvent.State.DISCONNECTED, null, "closed");
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }
}
