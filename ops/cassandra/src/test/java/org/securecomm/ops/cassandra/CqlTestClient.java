package org.securecomm.ops.cassandra;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of the CQL v4 native protocol to run a statement, so the launcher's tests need no
 * driver (and no Netty) on their classpath.
 */
final class CqlTestClient implements AutoCloseable {

    static final int KIND_ROWS = 2;
    static final int KIND_SET_KEYSPACE = 3;
    static final int KIND_SCHEMA_CHANGE = 5;

    private static final int OP_ERROR = 0x00;
    private static final int OP_STARTUP = 0x01;
    private static final int OP_READY = 0x02;
    private static final int OP_QUERY = 0x07;
    private static final int OP_RESULT = 0x08;
    private static final short CONSISTENCY_ONE = 0x0001;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private short stream;

    CqlTestClient(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
        ByteBuffer startup = ByteBuffer.allocate(64);
        startup.putShort((short) 1);
        putString(startup, "CQL_VERSION");
        putString(startup, "3.0.0");
        Frame ready = roundTrip(OP_STARTUP, startup);
        if (ready.opcode != OP_READY) {
            throw new IOException("expected READY, got opcode " + ready.opcode);
        }
    }

    /** Runs a statement and returns the RESULT frame's body, positioned after the kind. */
    Result query(String cql) throws IOException {
        byte[] text = cql.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(4 + text.length + 3);
        body.putInt(text.length).put(text).putShort(CONSISTENCY_ONE).put((byte) 0);
        Frame frame = roundTrip(OP_QUERY, body);
        if (frame.opcode == OP_ERROR) {
            int code = frame.body.getInt();
            throw new IOException("CQL error 0x" + Integer.toHexString(code) + ": " + getString(frame.body));
        }
        if (frame.opcode != OP_RESULT) {
            throw new IOException("expected RESULT, got opcode " + frame.opcode);
        }
        return new Result(frame.body.getInt(), frame.body);
    }

    /** Row count of a ROWS result whose columns are all of fixed simple types (int, text, ...). */
    static int rowCount(Result result) throws IOException {
        if (result.kind != KIND_ROWS) {
            throw new IOException("not a ROWS result: kind " + result.kind);
        }
        ByteBuffer b = result.body;
        int flags = b.getInt();
        int columns = b.getInt();
        boolean globalSpec = (flags & 0x0001) != 0;
        if ((flags & 0x0002) != 0) {
            int length = b.getInt();
            b.position(b.position() + Math.max(0, length));
        }
        if ((flags & 0x0004) == 0) {
            if (globalSpec) {
                getString(b);
                getString(b);
            }
            for (int i = 0; i < columns; i++) {
                if (!globalSpec) {
                    getString(b);
                    getString(b);
                }
                getString(b);
                int type = b.getShort();
                if (type == 0 || type >= 0x20) {
                    throw new IOException("test client only reads simple column types, got 0x" + Integer.toHexString(type));
                }
            }
        }
        return b.getInt();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private Frame roundTrip(int opcode, ByteBuffer body) throws IOException {
        body.flip();
        short id = stream++;
        out.writeByte(0x04);
        out.writeByte(0);
        out.writeShort(id);
        out.writeByte(opcode);
        out.writeInt(body.remaining());
        out.write(body.array(), body.position(), body.remaining());
        out.flush();
        while (true) {
            in.readByte(); // version | response bit
            in.readByte(); // flags
            short responseStream = in.readShort();
            int responseOpcode = in.readUnsignedByte();
            byte[] responseBody = new byte[in.readInt()];
            in.readFully(responseBody);
            if (responseStream == id) {
                return new Frame(responseOpcode, ByteBuffer.wrap(responseBody));
            }
        }
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer b) {
        byte[] bytes = new byte[b.getShort() & 0xFFFF];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private record Frame(int opcode, ByteBuffer body) {
    }

    record Result(int kind, ByteBuffer body) {
    }
}
