package org.securecomm.ops.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Readiness check that speaks the CQL native protocol: an open port alone is not enough, Cassandra
 * binds the port before it can answer requests.
 */
final class NativeProtocolProbe {

    /** CQL v4 OPTIONS: version 0x04, flags 0, stream 0x0000, opcode 0x05, body length 0. */
    private static final byte[] OPTIONS_V4 = {0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00};
    private static final int HEADER_LENGTH = 9;
    private static final int OPCODE_SUPPORTED = 0x06;

    private NativeProtocolProbe() {
    }

    /** True when the server answers OPTIONS with a SUPPORTED frame. Never throws. */
    static boolean answersOptions(String host, int port, Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            out.write(OPTIONS_V4);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] header = in.readNBytes(HEADER_LENGTH);
            // Byte 0 carries the response bit (0x80) plus the version; byte 4 is the opcode.
            return header.length == HEADER_LENGTH
                    && (header[0] & 0x80) != 0
                    && (header[4] & 0xFF) == OPCODE_SUPPORTED;
        } catch (IOException e) {
            return false;
        }
    }
}
