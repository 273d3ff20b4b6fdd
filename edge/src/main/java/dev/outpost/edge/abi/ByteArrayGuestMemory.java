package dev.outpost.edge.abi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A guest memory over a plain array: for testing hostcalls without an engine. */
public final class ByteArrayGuestMemory implements GuestMemory {
    private final ByteBuffer buffer;

    public ByteArrayGuestMemory(int size) {
        this.buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long size() {
        return buffer.capacity();
    }

    @Override
    public byte[] read(int address, int length) {
        byte[] out = new byte[length];
        buffer.get(address, out);
        return out;
    }

    @Override
    public void write(int address, byte[] bytes, int offset, int length) {
        buffer.put(address, bytes, offset, length);
    }

    @Override
    public int readI32(int address) {
        return buffer.getInt(address);
    }

    @Override
    public void writeI32(int address, int value) {
        buffer.putInt(address, value);
    }

    @Override
    public void writeI64(int address, long value) {
        buffer.putLong(address, value);
    }

    @Override
    public void writeI16(int address, short value) {
        buffer.putShort(address, value);
    }

    @Override
    public void writeI8(int address, byte value) {
        buffer.put(address, value);
    }

    public long readI64(int address) {
        return buffer.getLong(address);
    }
}
