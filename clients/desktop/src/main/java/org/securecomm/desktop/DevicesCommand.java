package org.securecomm.desktop;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.securecomm.client.DeviceEntry;
import org.securecomm.client.SecureCommClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "devices", description = "List, add (link) and remove this account's devices.",
        subcommands = {DevicesCommand.List.class, DevicesCommand.Add.class, DevicesCommand.Remove.class})
final class DevicesCommand {

    @Command(name = "list", description = "List the account's devices.")
    static final class List implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() {
            Output out = common.output();
            try (SecureCommClient client = common.connect()) {
                for (DeviceEntry device : client.devices()) {
                    out.print(device.id() + "\t" + device.name() + (device.thisDevice() ? "\t(this device)" : "")
                                    + "\tadded " + Instant.ofEpochMilli(device.createdAtMillis()),
                            "id", device.id(), "name", device.name(), "this_device", device.thisDevice(),
                            "created_at", device.createdAtMillis());
                }
            }
            return 0;
        }
    }

    @Command(name = "add", description = "Link a new device: LINK is what `securecomm link` shows on it.")
    static final class Add implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Parameters(paramLabel = "LINK")
        String link;

        @Option(names = "--code", paramLabel = "CODE", description = "the confirmation code the new device shows; asked when absent")
        String code;

        @Option(names = "--name", paramLabel = "NAME", defaultValue = "linked device", description = "the new device's name (encrypted)")
        String name;

        @Override
        public Integer call() {
            try (SecureCommClient client = common.connect()) {
                int id = client.linkDevice(link, name,
                        () -> code != null ? code : CommonOptions.prompt("Enter the confirmation code the new device shows: "));
                common.output().print("linked device " + id + " (" + name + ")", "device_id", id, "name", name);
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a device (the primary removes any other; a device may remove itself).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Parameters(paramLabel = "ID")
        int id;

        @Override
        public Integer call() {
            try (SecureCommClient client = common.connect()) {
                client.removeDevice(id);
                common.output().print("removed device " + id, "removed", id);
            }
            return 0;
        }
    }
}
