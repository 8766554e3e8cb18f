package org.securecomm.relay;

/**
 * Marker for messages and events that cross the cluster or reach Cassandra; bound to Pekko's
 * Jackson CBOR serializer in reference.conf. Byte arrays (ciphertext) are stored as raw CBOR byte
 * strings, never re-encoded or inspected.
 */
public interface CborSerializable {
}
