package org.securecomm.relay.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/** The connections open on this node, so a shutdown can tell each to close cleanly. */
public final class ConnectionRegistry {

    private final Set<ActorRef<Connection.Command>> connections = ConcurrentHashMap.newKeySet();

    void add(ActorRef<Connection.Command> connection) {
        connections.add(connection);
    }

    void remove(ActorRef<Connection.Command> connection) {
        connections.remove(connection);
    }

    public int size() {
        return connections.size();
    }

    /** Asks every open connection to send a Closing push and close. */
    public void closeAll() {
        connections.forEach(connection -> connection.tell(new Connection.Shutdown()));
    }
}
