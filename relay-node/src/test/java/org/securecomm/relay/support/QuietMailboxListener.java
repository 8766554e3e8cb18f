package org.securecomm.relay.support;

import org.securecomm.relay.mailbox.Mailbox;

/** A mailbox listener for tests that do not look at metrics. */
public final class QuietMailboxListener implements Mailbox.Listener {

    @Override
    public void enqueued(int bytes) {
    }

    @Override
    public void pushed() {
    }

    @Override
    public void acknowledged(int count) {
    }

    @Override
    public void expired(int count) {
    }
}
