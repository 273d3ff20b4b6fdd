package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.Sandbox;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** {@code fastly_geo}: records from {@code fastly.toml}, and Viceroy's built-in record for loopback clients. */
final class GeoHostcalls {
    private static final String M = "fastly_geo";

    /** The record Viceroy returns for loopback addresses unless {@code use_default_loopback = false}. */
    static final String LOOPBACK_RECORD = """
      {"as_name":"Fastly, Inc","as_number":54113,"area_code":415,"city":"San Francisco","conn_speed":"broadband",\
      "conn_type":"wired","continent":"NA","country_code":"US","country_code3":"USA",\
      "country_name":"United States of America","latitude":37.77869,"longitude":-122.39557,"metro_code":0,\
      "postal_code":"94107","proxy_description":"?","proxy_type":"?","region":"CA","utc_offset":-700}""";

    private final Sandbox s;

    GeoHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // lookup(addr_octets, addr_len, buf, buf_len, nwritten_out)
        t.fastly(M, "lookup", (m, a) -> {
            int len = a.i32(1);
            if (len != 4 && len != 16) {
                throw HostcallException.inval("geo address length: " + len + " (expected: 4 or 16)");
            }
            InetAddress address;
            try {
                address = InetAddress.getByAddress(m.read(a.i32(0), len));
            } catch (UnknownHostException e) {
                throw HostcallException.inval("geo address: " + e.getMessage());
            }
            String record = record(address);
            if (record == null) {
                throw new HostcallException(FastlyStatus.NONE, "geo: no record for " + address.getHostAddress());
            }
            m.writeOut(a.i32(2), a.i32(3), record, a.i32(4));
        });
    }

    private String record(InetAddress address) {
        Map<String, String> records = s.services().config().geolocation();
        for (var e : records.entrySet()) {
            try {
                if (InetAddress.getByName(e.getKey()).equals(address)) {
                    return e.getValue();
                }
            } catch (UnknownHostException ignored) {
                // Keys were checked when the file was read.
            }
        }
        if (address.isLoopbackAddress() && s.services().config().useDefaultLoopbackGeo()) {
            return LOOPBACK_RECORD;
        }
        return null;
    }
}
