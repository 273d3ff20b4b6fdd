package dev.outpost.edge.abi;

/** A {@code fastly_*} hostcall body: returns normally for {@code ok}, throws {@link HostcallException} otherwise. */
@FunctionalInterface
public interface FastlyHostcall {
    void call(GuestMemory memory, Args args);

    /** Reads the raw arguments as the ABI's unsigned 32-bit values. */
    final class Args {
        private final long[] raw;

        public Args(long[] raw) {
            this.raw = raw;
        }

        public int i32(int index) {
            return (int) raw[index];
        }

        public long i64(int index) {
            return raw[index];
        }

        public int length() {
            return raw.length;
        }
    }
}
