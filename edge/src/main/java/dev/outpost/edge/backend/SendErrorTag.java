package dev.outpost.edge.backend;

/** The ABI's {@code send_error_detail_tag}, in its order (typenames.witx); only the ones the client reports. */
public enum SendErrorTag {
    UNINITIALIZED(0),
    OK(1),
    DNS_ERROR(3),
    CONNECTION_REFUSED(7),
    CONNECTION_TERMINATED(8),
    CONNECTION_TIMEOUT(9),
    TLS_CERTIFICATE_ERROR(11),
    HTTP_INCOMPLETE_RESPONSE(13),
    HTTP_RESPONSE_TIMEOUT(16),
    HTTP_PROTOCOL_ERROR(19),
    HTTP_REQUEST_URI_INVALID(21),
    INTERNAL_ERROR(22);

    private final int code;

    SendErrorTag(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
