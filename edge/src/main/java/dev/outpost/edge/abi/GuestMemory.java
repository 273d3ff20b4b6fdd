package dev.outpost.edge.abi;

import java.nio.charset.StandardCharsets;

/**
 * The only door to a guest's linear memory. Each engine supplies one adapter; hostcalls never see engine types.
 * Addresses are unsigned 32-bit values passed as ints.
 */
public interface GuestMemory {
    /** The memory's current size in bytes. */
    long size();

    byte[] read(int address, int length);

    void write(int address, byte[] bytes, int offset, int length);

    int readI32(int address);

    void writeI32(int address, int value);

    void writeI64(int address, long value);

    void writeI16(int address, short value);

    void writeI8(int address, byte value);

    /**
     * Fails a guest buffer that does not lie in the guest's memory with {@code inval}, as Fastly's hostcalls fail it (a
     * WASI function traps), naming the buffer and the memory's size. Adapters call it before each access, so that a bad
     * pointer never reaches the engine.
     */
    default void checkBounds(int address, long length) {
        long size = size();
        if (length < 0 || Integer.toUnsignedLong(address) + length > size) {
            throw HostcallException.inval("a buffer of " + length + " bytes at 0x" + Integer.toHexString(address)
                    + " runs past the end of the guest's memory (" + size + " bytes)");
        }
    }

    default void write(int address, byte[] bytes) {
        write(address, bytes, 0, bytes.length);
    }

    default String readUtf8(int address, int length) {
        return new String(read(address, length), StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code bytes} to a guest buffer of {@code capacity} bytes and their length to {@code nwrittenPtr}. When they
     * do not fit, writes the needed length and fails with {@code buflen}, as the ABI asks.
     */
    default void writeOut(int buffer, int capacity, byte[] bytes, int nwrittenPtr) {
        if (Integer.compareUnsigned(bytes.length, capacity) > 0) {
            writeI32(nwrittenPtr, bytes.length);
            throw new HostcallException(
                    FastlyStatus.BUFLEN,
                    "buffer of " + Integer.toUnsignedString(capacity) + " bytes (expected: at least " + bytes.length
                            + ")");
        }
        write(buffer, bytes);
        writeI32(nwrittenPtr, bytes.length);
    }

    default void writeOut(int buffer, int capacity, String value, int nwrittenPtr) {
        writeOut(buffer, capacity, value.getBytes(StandardCharsets.UTF_8), nwrittenPtr);
    }
}
