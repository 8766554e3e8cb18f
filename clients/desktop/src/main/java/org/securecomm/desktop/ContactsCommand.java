package org.securecomm.desktop;

import java.util.concurrent.Callable;
import org.securecomm.client.SecureCommClient;
import org.securecomm.client.store.Contact;
import org.securecomm.client.store.TrustedIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "contacts", description = "Manage contacts (names stay on your devices).",
        subcommands = {ContactsCommand.Add.class, ContactsCommand.List.class, ContactsCommand.Rename.class, ContactsCommand.Remove.class})
final class ContactsCommand {

    @Command(name = "add", description = "Add a contact by address (name@domain), email or phone number.")
    static final class Add implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--name", paramLabel = "NAME", defaultValue = "", description = "your name for the contact")
        String name;

        @Override
        public Integer call() {
            try (SecureCommClient client = common.connect()) {
                Contact contact = client.addContact(id, name);
                common.output().print("added " + contact.address(), "address", contact.address(), "name", contact.name());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List contacts.")
    static final class List implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() {
            Output out = common.output();
            try (SecureCommClient client = common.connect()) {
                for (Contact contact : client.contacts()) {
                    TrustedIdentity identity = client.identity(contact.address()).orElse(null);
                    boolean verified = identity != null && identity.verified();
                    boolean changed = identity != null && identity.changed();
                    out.print(contact.address() + (contact.name().isEmpty() ? "" : "\t" + contact.name())
                                    + (verified ? "\tverified" : "") + (changed ? "\tIDENTITY CHANGED" : ""),
                            "address", contact.address(), "name", contact.name(), "verified", verified, "identity_changed", changed,
                            "expire_timer_seconds", contact.expireTimerSeconds());
                }
            }
            return 0;
        }
    }

    @Command(name = "rename", description = "Rename a contact.")
    static final class Rename implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (SecureCommClient client = common.connect()) {
                if (!client.renameContact(id, name)) {
                    throw new IllegalArgumentException("no contact " + id);
                }
                common.output().print("renamed " + id, "address", id, "name", name);
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a contact.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            try (SecureCommClient client = common.connect()) {
                if (!client.removeContact(id)) {
                    throw new IllegalArgumentException("no contact " + id);
                }
                common.output().print("removed " + id, "removed", id);
            }
            return 0;
        }
    }
}
