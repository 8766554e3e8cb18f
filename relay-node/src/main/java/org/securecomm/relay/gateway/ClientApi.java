package org.securecomm.relay.gateway;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.securecomm.protocol.EnvelopeIds;
import org.securecomm.protocol.FrameLimits;
import org.securecomm.protocol.client.v1.AcknowledgeEnvelopes;
import org.securecomm.protocol.client.v1.AddDevice;
import org.securecomm.protocol.client.v1.CallJoined;
import org.securecomm.protocol.client.v1.CallParticipant;
import org.securecomm.protocol.client.v1.CallSignalSent;
import org.securecomm.protocol.client.v1.CallStarted;
import org.securecomm.protocol.client.v1.CallUpdated;
import org.securecomm.protocol.client.v1.InviteToCall;
import org.securecomm.protocol.client.v1.TurnCredentials;
import org.securecomm.protocol.client.v1.SendCallSignal;
import org.securecomm.protocol.client.v1.StartCall;
import org.securecomm.protocol.client.v1.ContactMatch;
import org.securecomm.protocol.client.v1.ContactMatches;
import org.securecomm.protocol.client.v1.DeviceAdded;
import org.securecomm.protocol.client.v1.DeviceInfo;
import org.securecomm.protocol.client.v1.DeviceList;
import org.securecomm.protocol.client.v1.DeviceRemoved;
import org.securecomm.protocol.client.v1.ProvisioningChannelOpened;
import org.securecomm.protocol.client.v1.ProvisioningMessageSent;
import org.securecomm.protocol.client.v1.RemoveDevice;
import org.securecomm.protocol.client.v1.SendProvisioningMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.securecomm.relay.account.DeviceLinking;
import org.securecomm.relay.session.DeviceMessage;
import org.securecomm.protocol.client.v1.DiscoverContacts;
import org.securecomm.protocol.client.v1.EnvelopesAccepted;
import org.securecomm.protocol.client.v1.EnvelopesAcknowledged;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.GetPreKeyBundles;
import org.securecomm.protocol.client.v1.KeysUploaded;
import org.securecomm.protocol.client.v1.Register;
import org.securecomm.protocol.client.v1.Registered;
import org.securecomm.protocol.client.v1.RequestVerificationCode;
import org.securecomm.protocol.client.v1.Response;
import org.securecomm.protocol.client.v1.SendEnvelopes;
import org.securecomm.protocol.client.v1.UploadKeys;
import org.securecomm.protocol.client.v1.VerificationCodeSent;
import org.securecomm.relay.ApiException;
import org.securecomm.relay.account.AccountManager;
import org.securecomm.relay.account.AuthenticatedDevice;
import org.securecomm.relay.account.ContactDiscovery;
import org.securecomm.relay.account.KeyDirectory;
import org.securecomm.relay.account.KeyStock;
import org.securecomm.relay.account.PreKey;
import org.securecomm.relay.account.SignedPreKey;
import org.securecomm.relay.call.CallManager;
import org.securecomm.relay.call.CallPushes;
import org.securecomm.relay.call.CallRoom;
import org.securecomm.relay.mailbox.EnvelopeRouter;
import org.securecomm.relay.media.TurnCredentialIssuer;

/**
 * Translates client requests (protobuf) into calls on the managers and their results back into
 * responses. Holds no state; the connection actor decides who may call what.
 */
public final class ClientApi {

    private final AccountManager accounts;
    private final KeyDirectory keys;
    private final ContactDiscovery discovery;
    private final EnvelopeRouter envelopes;
    private final DeviceLinking linking;
    private final CallManager calls;
    private final TurnCredentialIssuer turn;

    public ClientApi(AccountManager accounts, KeyDirectory keys, ContactDiscovery discovery, EnvelopeRouter envelopes,
                     DeviceLinking linking, CallManager calls, TurnCredentialIssuer turn) {
        this.accounts = accounts;
        this.keys = keys;
        this.discovery = discovery;
        this.envelopes = envelopes;
        this.linking = linking;
        this.calls = calls;
        this.turn = turn;
    }

    AccountManager accounts() {
        return accounts;
    }

    CallManager calls() {
        return calls;
    }

    CompletionStage<Response.Builder> requestVerificationCode(RequestVerificationCode request) {
        return accounts.requestVerificationCode(request.getIdentifier()).thenApply(seconds -> Response.newBuilder()
                .setVerificationCodeSent(VerificationCodeSent.newBuilder().setExpiresInSeconds(seconds.intValue())));
    }

    CompletionStage<Response.Builder> register(Register request) {
        return accounts.register(request.getIdentifier(), request.getVerificationCode(), request.getUsername().toLowerCase(java.util.Locale.ROOT),
                        request.getRegistrationId(), request.getIdentityKey().toByteArray(), request.getEncryptedDeviceName().toByteArray())
                .thenApply(registration -> Response.newBuilder().setRegistered(Registered.newBuilder()
                        .setAccountId(registration.accountId())
                        .setAddress(registration.address().toString())
                        .setDeviceId(registration.deviceId())
                        .setPassword(registration.password())));
    }

    CompletionStage<Response.Builder> addDevice(AuthenticatedDevice device, AddDevice request) {
        return accounts.addDevice(device, request.getRegistrationId(), request.getEncryptedName().toByteArray()).thenApply(added -> Response.newBuilder()
                .setDeviceAdded(DeviceAdded.newBuilder().setDeviceId(added.deviceId()).setPassword(added.password())));
    }

    CompletionStage<Response.Builder> listDevices(AuthenticatedDevice device) {
        return accounts.devices(device.accountId()).thenApply(devices -> {
            DeviceList.Builder list = DeviceList.newBuilder();
            devices.devices().forEach(d -> list.addDevices(DeviceInfo.newBuilder()
                    .setDeviceId(d.id()).setRegistrationId(d.registrationId()).setCreatedAtMillis(d.createdAtMillis())
                    .setEncryptedName(d.encryptedName() == null ? ByteString.EMPTY : ByteString.copyFrom(d.encryptedName()))));
            return Response.newBuilder().setDeviceList(list);
        });
    }

    CompletionStage<Response.Builder> removeDevice(AuthenticatedDevice device, RemoveDevice request) {
        return accounts.removeDevice(device, request.getDeviceId())
                .thenApply(done -> Response.newBuilder().setDeviceRemoved(DeviceRemoved.getDefaultInstance()));
    }

    CompletionStage<Response.Builder> openProvisioningChannel(ActorRef<DeviceMessage> connection, ActorRef<?> owner) {
        return linking.open(connection, owner).thenApply(channelId -> Response.newBuilder()
                .setProvisioningChannelOpened(ProvisioningChannelOpened.newBuilder().setChannelId(channelId)));
    }

    CompletionStage<Response.Builder> sendProvisioningMessage(SendProvisioningMessage request) {
        return linking.send(request.getChannelId(), request.getBody().toByteArray())
                .thenApply(done -> Response.newBuilder().setProvisioningMessageSent(ProvisioningMessageSent.getDefaultInstance()));
    }

    CompletionStage<Response.Builder> uploadKeys(AuthenticatedDevice device, UploadKeys request) {
        return keys.upload(device, request.getIdentityKey().toByteArray(),
                        request.hasSignedPreKey() ? signed(request.getSignedPreKey()) : null,
                        request.getOneTimePreKeysList().stream().map(k -> new PreKey(k.getKeyId(), k.getPublicKey().toByteArray())).toList(),
                        request.getKyberPreKeysList().stream().map(ClientApi::signed).toList(),
                        request.hasLastResortKyberPreKey() ? signed(request.getLastResortKyberPreKey()) : null)
                .thenApply(stock -> Response.newBuilder().setKeysUploaded(KeysUploaded.newBuilder().setKeyStock(keyStock(stock))));
    }

    CompletionStage<Response.Builder> getPreKeyBundles(AuthenticatedDevice device, GetPreKeyBundles request) {
        return keys.bundles(device, request.getAddress(), request.getDeviceId())
                .thenApply(bundles -> Response.newBuilder().setPreKeyBundles(bundles));
    }

    CompletionStage<Response.Builder> discoverContacts(DiscoverContacts request) {
        if (request.getIdentifierHashesCount() > FrameLimits.MAX_DISCOVERY_HASHES) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "at most " + FrameLimits.MAX_DISCOVERY_HASHES + " hashes per request");
        }
        return discovery.discover(request.getIdentifierHashesList().stream().map(ByteString::toByteArray).toList())
                .thenApply(matches -> {
                    ContactMatches.Builder reply = ContactMatches.newBuilder();
                    for (ContactDiscovery.Match match : matches) {
                        reply.addMatches(ContactMatch.newBuilder().setIdentifierHash(ByteString.copyFrom(match.clientHash()))
                                .setAddress(match.address().toString()));
                    }
                    return Response.newBuilder().setContactMatches(reply);
                });
    }

    CompletionStage<Response.Builder> sendEnvelopes(AuthenticatedDevice device, SendEnvelopes request) {
        return envelopes.send(device, request.getDestination(), outgoing(request.getEnvelopesList()),
                        outgoing(request.getOwnDeviceEnvelopesList()), request.getMessageId().toByteArray(), request.getClientTimestamp(),
                        request.getUrgent())
                .thenApply(result -> {
                    EnvelopesAccepted.Builder accepted = EnvelopesAccepted.newBuilder();
                    result.ids().forEach(id -> accepted.addEnvelopeIds(EnvelopeIds.toBytes(id)));
                    result.ownCopyIds().forEach(id -> accepted.addOwnDeviceEnvelopeIds(EnvelopeIds.toBytes(id)));
                    return Response.newBuilder().setEnvelopesAccepted(accepted);
                });
    }

    private static List<EnvelopeRouter.Outgoing> outgoing(List<org.securecomm.protocol.client.v1.OutgoingEnvelope> envelopes) {
        return envelopes.stream()
                .map(e -> new EnvelopeRouter.Outgoing(e.getDeviceId(), e.getRegistrationId(), e.getTypeValue(), e.getContent().toByteArray()))
                .toList();
    }

    CompletionStage<Response.Builder> acknowledgeEnvelopes(AuthenticatedDevice device, AcknowledgeEnvelopes request) {
        if (request.getEnvelopeIdsCount() > FrameLimits.MAX_ACKNOWLEDGED_IDS) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, "at most " + FrameLimits.MAX_ACKNOWLEDGED_IDS + " ids per acknowledgement");
        }
        List<UUID> ids;
        try {
            ids = request.getEnvelopeIdsList().stream().map(EnvelopeIds::fromBytes).toList();
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        return envelopes.acknowledge(device, ids)
                .thenApply(removed -> Response.newBuilder().setEnvelopesAcknowledged(EnvelopesAcknowledged.getDefaultInstance()));
    }

    // ------------------------------------------------------------------ calls

    CompletionStage<Response.Builder> startCall(AuthenticatedDevice device, StartCall request) {
        return calls.start(device, request.getCalleesList(), request.getVideo())
                .thenApply(started -> Response.newBuilder().setCallStarted(CallStarted.newBuilder().setCallId(started.callId())
                        .setMedia(MediaRoutes.route(started.media()))));
    }

    CompletionStage<Response.Builder> joinCall(AuthenticatedDevice device, String callId, boolean answer) {
        return calls.join(device, callId, answer).thenApply(accepted -> Response.newBuilder().setCallJoined(CallJoined.newBuilder()
                .setCallId(callId).setVideo(accepted.video()).addAllParticipants(CallPushes.participants(accepted.participants()))
                .setMedia(MediaRoutes.route(accepted.media()))));
    }

    /** Answered at once, without any entity: the credentials derive from the secret, the clock and the account id. */
    CompletionStage<Response.Builder> turnCredentials(AuthenticatedDevice device) {
        TurnCredentialIssuer.Credentials credentials = turn.issue(device.accountId());
        return CompletableFuture.completedFuture(Response.newBuilder().setTurnCredentials(TurnCredentials.newBuilder()
                .addAllUrls(credentials.urls()).setUsername(credentials.username()).setPassword(credentials.password())
                .setTtlSeconds((int) credentials.ttlSeconds())));
    }

    CompletionStage<Response.Builder> inviteToCall(AuthenticatedDevice device, InviteToCall request) {
        return updated(request.getCallId(), calls.invite(device, request.getCallId(), request.getAddressesList()));
    }

    CompletionStage<Response.Builder> sendCallSignal(AuthenticatedDevice device, SendCallSignal request) {
        return calls.signal(device, request.getCallId(), request.getToAddress(), request.getToDevice(), request.getKindValue(),
                        request.getPayload().toByteArray())
                .thenApply(done -> Response.newBuilder().setCallSignalSent(CallSignalSent.getDefaultInstance()));
    }

    /** DeclineCall, CancelCall, LeaveCall, EndCall and InviteToCall answer CallUpdated. */
    static CompletionStage<Response.Builder> updated(String callId, CompletionStage<Void> done) {
        return done.thenApply(ignored -> Response.newBuilder().setCallUpdated(CallUpdated.newBuilder().setCallId(callId)));
    }

    static org.securecomm.protocol.client.v1.KeyStock keyStock(KeyStock stock) {
        return org.securecomm.protocol.client.v1.KeyStock.newBuilder()
                .setOneTimePreKeys(stock.oneTimePreKeys())
                .setKyberPreKeys(stock.kyberPreKeys())
                .setSignedPreKey(stock.signedPreKey())
                .setLastResortKyberPreKey(stock.lastResortKyberPreKey())
                .build();
    }

    private static SignedPreKey signed(org.securecomm.protocol.client.v1.SignedPreKey key) {
        return new SignedPreKey(key.getKeyId(), key.getPublicKey().toByteArray(), key.getSignature().toByteArray());
    }
}
