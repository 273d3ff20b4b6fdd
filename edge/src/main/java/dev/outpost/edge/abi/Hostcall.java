package dev.outpost.edge.abi;

/**
 * One imported function as the host implements it: guest memory plus the raw arguments (i32 as int-valued longs, i64 as
 * longs), returning the i32 result. For {@code fastly_*} calls that is a {@link FastlyStatus} code.
 */
@FunctionalInterface
public interface Hostcall {
    int call(GuestMemory memory, long[] args);
}
