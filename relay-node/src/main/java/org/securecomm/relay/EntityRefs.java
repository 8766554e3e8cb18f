package org.securecomm.relay;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * EntityRefs of one entity type, kept for reuse: {@code entityRefFor} URL-encodes the entity id
 * and allocates on every call, which the send and acknowledge paths paid once per request. An
 * EntityRef only names the entity (the shard region finds it wherever it runs), so a kept one
 * stays valid. Bounded: when full the map is emptied and refilled by use.
 */
public final class EntityRefs<M> {

    private final ClusterSharding sharding;
    private final EntityTypeKey<M> type;
    private final int capacity;
    private final ConcurrentHashMap<String, EntityRef<M>> refs = new ConcurrentHashMap<>();

    public EntityRefs(ClusterSharding sharding, EntityTypeKey<M> type, int capacity) {
        this.sharding = sharding;
        this.type = type;
        this.capacity = capacity;
    }

    public EntityRef<M> get(String entityId) {
        EntityRef<M> ref = refs.get(entityId);
        if (ref == null) {
            if (refs.size() >= capacity) {
                refs.clear();
            }
            ref = sharding.entityRefFor(type, entityId);
            refs.put(entityId, ref);
        }
        return ref;
    }
}
