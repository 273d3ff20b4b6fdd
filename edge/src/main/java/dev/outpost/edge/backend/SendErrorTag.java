package dev.outpost.edge.backend;

/** The ABI's {@code send_error_detail_tag} (typenames.witx): why a backend request got no response. */
public enum SendErrorTag {
    UNINITIALIZED(0),
    OK(1),
    DNS_TIMEOUT(2),
    DNS_ERROR(3),
    DESTINATION_NOT_FOUND(4),
    DESTINATION_UNAVAILABLE(5),
    DESTINATION_IP_UNROUTABLE(6),
    CONNECTION_REFUSED(7),
    CONNECTION_TERMINATED(8),
    CONNECTION_TIMEOUT(9),
    CONNECTION_LIMIT_REACHED(10),
    TLS_CERTIFICATE_ERROR(11),
    TLS_CONFIGURATION_ERROR(12),
    HTTP_INCOMPLETE_RESPONSE(13),
    HTTP_RESPONSE_HEADER_SECTION_TOO_LARGE(14),
    HTTP_RESPONSE_BODY_TOO_LARGE(15),
    HTTP_RESPONSE_TIMEOUT(16),
    HTTP_RESPONSE_STATUS_INVALID(17),
    HTTP_UPGRADE_FAILED(18),
    HTTP_PROTOCOL_ERROR(19),
    HTTP_REQUEST_CACHE_KEY_INVALID(20),
    HTTP_REQUEST_URI_INVALID(21),
    INTERNAL_ERROR(22),
    TLS_ALERT_RECEIVED(23),
    TLS_PROTOCOL_ERROR(24),
    H2_ERROR(25);

    private final int code;

    SendErrorTag(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
