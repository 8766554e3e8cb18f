package org.securecomm.protocol;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.UUID;

/** Envelope ids travel as 16 raw bytes (a UUID) to keep frames small. */
public final class EnvelopeIds {

    private EnvelopeIds() {
    }

    public static ByteString toBytes(UUID id) {
        ByteBuffer buffer = ByteBuffer.allocate(16);
        buffer.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return ByteString.copyFrom(buffer.array());
    }

    /** @throws IllegalArgumentException unless exactly 16 bytes */
    public static UUID fromBytes(ByteString bytes) {
        if (bytes.size() != 16) {
            throw new IllegalArgumentException("an envelope id is 16 bytes, got " + bytes.size());
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new UUID(buffer.getLong(), buffer.getLong());
    }
}
