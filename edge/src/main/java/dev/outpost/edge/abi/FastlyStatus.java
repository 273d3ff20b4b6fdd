package dev.outpost.edge.abi;

/** The {@code fastly_status} codes every hostcall returns, in the ABI's order (typenames.witx). */
public enum FastlyStatus {
    OK,
    ERROR,
    INVAL,
    BADF,
    BUFLEN,
    UNSUPPORTED,
    BADALIGN,
    HTTPINVALID,
    HTTPUSER,
    HTTPINCOMPLETE,
    NONE,
    HTTPHEADTOOLARGE,
    HTTPINVALIDSTATUS,
    LIMITEXCEEDED,
    AGAIN;

    /** The i32 a hostcall returns for this status. */
    public int code() {
        return ordinal();
    }
}
