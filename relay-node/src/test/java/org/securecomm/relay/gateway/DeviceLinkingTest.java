package org.securecomm.relay.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.securecomm.client.transport.RelayConnection;
import org.securecomm.protocol.client.v1.AddDevice;
import org.securecomm.protocol.client.v1.Authenticate;
import org.securecomm.protocol.client.v1.ClientMessage;
import org.securecomm.protocol.client.v1.DeviceInfo;
import org.securecomm.protocol.client.v1.ErrorCode;
import org.securecomm.protocol.client.v1.ListDevices;
import org.securecomm.protocol.client.v1.OpenProvisioningChannel;
import org.securecomm.protocol.client.v1.Push;
import org.securecomm.protocol.client.v1.RemoveDevice;
import org.securecomm.protocol.client.v1.SendProvisioningMessage;
import org.securecomm.relay.node.RelayNode;
import org.securecomm.relay.support.CapturingCodeSender;
import org.securecomm.relay.support.SharedCassandra;
import org.securecomm.relay.support.TestDevice;
import org.securecomm.relay.support.TestRelays;

/** The relay's side of linking and removing devices: provisioning channels, encrypted names, removal. */
class DeviceLinkingTest {

    @Test
    void provisioningChannelForwardsOpaqueBodiesToTheNewDevice() throws Exception {
        CapturingCodeSender codes = new CapturingCodeSender();
        try (RelayNode node = TestRelays.start(SharedCassandra.get(), codes)) {
            String suffix = Long.toString(System.nanoTime(), 36);
            TestDevice primary = TestDevice.register(node.clientUrl(), codes, "nina-" + suffix + "@example.org", "nina" + suffix);
            BlockingQueue<Push> newDevicePushes = new LinkedBlockingQueue<>();
            try (RelayConnection newDevice = RelayConnection.connect(URI.create(node.clientUrl()), null, newDevicePushes::add,
                    Duration.ofSeconds(10))) {
                String channel = newDevice.call(ClientMessage.newBuilder()
                        .setOpenProvisioningChannel(OpenProvisioningChannel.getDefaultInstance())).join()
                        .getProvisioningChannelOpened().getChannelId();
                assertTrue(channel.length() >= 22, channel);

                byte[] body = TestDevice.randomBytes(2000);
                primary.call(ClientMessage.newBuilder().setSendProvisioningMessage(
                        SendProvisioningMessage.newBuilder().setChannelId(channel).setBody(ByteString.copyFrom(body))));
                Push push = newDevicePushes.poll(10, TimeUnit.SECONDS);
                assertEquals(channel, push.getProvisioningMessage().getChannelId());
                assertArrayEquals(body, push.getProvisioningMessage().getBody().toByteArray());

                assertEquals(ErrorCode.UNKNOWN_PROVISIONING_CHANNEL, primary.request(ClientMessage.newBuilder().setSendProvisioningMessage(
                        SendProvisioningMessage.newBuilder().setChannelId("no-such-channel").setBody(ByteString.copyFromUtf8("x"))))
                        .getError().getCode());
                assertEquals(ErrorCode.NOT_AUTHENTICATED, newDevice.request(ClientMessage.newBuilder().setSendProvisioningMessage(
                        SendProvisioningMessage.newBuilder().setChannelId(channel).setBody(ByteString.copyFromUtf8("x")))).join()
                        .getError().getCode());
                assertEquals(ErrorCode.ALREADY_AUTHENTICATED, primary.request(ClientMessage.newBuilder()
                        .setOpenProvisioningChannel(OpenProvisioningChannel.getDefaultInstance())).getError().getCode());
                newDevice.close();
                // The channel dies with the new device's connection.
                ErrorCode afterClose = null;
                for (int i = 0; i < 50 && afterClose != ErrorCode.UNKNOWN_PROVISIONING_CHANNEL; i++) {
                    Thread.sleep(100);
                    afterClose = primary.request(ClientMessage.newBuilder().setSendProvisioningMessage(
                            SendProvisioningMessage.newBuilder().setChannelId(channel).setBody(ByteString.copyFromUtf8("x"))))
                            .getError().getCode();
                }
                assertEquals(ErrorCode.UNKNOWN_PROVISIONING_CHANNEL, afterClose);
            }
            primary.close();
        }
    }

    @Test
    void primaryRemovesALinkedDevice() throws Exception {
        CapturingCodeSender codes = new CapturingCodeSender();
        try (RelayNode node = TestRelays.start(SharedCassandra.get(), codes)) {
            String suffix = Long.toString(System.nanoTime(), 36);
            TestDevice primary = TestDevice.register(node.clientUrl(), codes, "omar-" + suffix + "@example.org", "omar" + suffix);
            TestDevice sender = TestDevice.register(node.clientUrl(), codes, "pat-" + suffix + "@example.org", "pat" + suffix);
            byte[] name = TestDevice.randomBytes(40);
            var added = primary.call(ClientMessage.newBuilder().setAddDevice(AddDevice.newBuilder().setRegistrationId(77)
                    .setEncryptedName(ByteString.copyFrom(name)))).getDeviceAdded();
            BlockingQueue<Push> laptopPushes = new LinkedBlockingQueue<>();
            RelayConnection laptop = RelayConnection.connect(URI.create(node.clientUrl()), null, laptopPushes::add, Duration.ofSeconds(10));
            laptop.call(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder().setAccountId(primary.accountId)
                    .setDeviceId(added.getDeviceId()).setPassword(added.getPassword()))).join();
            List<DeviceInfo> devices = primary.call(ClientMessage.newBuilder().setListDevices(ListDevices.getDefaultInstance()))
                    .getDeviceList().getDevicesList();
            assertEquals(2, devices.size());
            assertArrayEquals(name, devices.get(1).getEncryptedName().toByteArray());

            assertEquals(ErrorCode.FORBIDDEN, laptop.request(ClientMessage.newBuilder()
                    .setRemoveDevice(RemoveDevice.newBuilder().setDeviceId(1))).join().getError().getCode());
            primary.call(ClientMessage.newBuilder().setRemoveDevice(RemoveDevice.newBuilder().setDeviceId(added.getDeviceId())));
            Push closing = laptopPushes.poll(10, TimeUnit.SECONDS);
            while (closing != null && !closing.hasClosing()) {
                closing = laptopPushes.poll(10, TimeUnit.SECONDS); // QueueEmpty came first
            }
            assertTrue(closing != null, "the removed device is told it was removed");
            laptop.closed().get(10, TimeUnit.SECONDS);

            try (RelayConnection again = RelayConnection.connect(URI.create(node.clientUrl()), push -> { })) {
                assertEquals(ErrorCode.AUTHENTICATION_FAILED, again.request(ClientMessage.newBuilder().setAuthenticate(Authenticate.newBuilder()
                        .setAccountId(primary.accountId).setDeviceId(added.getDeviceId()).setPassword(added.getPassword()))).join()
                        .getError().getCode());
            }
            // Senders now address the primary device only.
            assertEquals(1, sender.send(primary.address, List.of(1), new byte[] {1}).size());
            primary.close();
            sender.close();
        }
    }
}
