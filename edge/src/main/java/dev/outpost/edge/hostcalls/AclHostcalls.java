package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.config.LocalServerConfig.AclEntry;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.Sandbox;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code fastly_acl}: longest-prefix match over the ACLs from {@code fastly.toml}. */
final class AclHostcalls {
    private static final String M = "fastly_acl";
    private static final int ACL_OK = 1;
    private static final int ACL_NO_CONTENT = 2;

    private final Sandbox s;

    AclHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        // open(name, name_len, acl_out)
        t.fastly(M, "open", (m, a) -> {
            String name = Guest.string(m, a.i32(0), a.i32(1), "acl name");
            if (!s.services().config().acls().containsKey(name)) {
                throw HostcallException.inval("acl: " + name + " (expected: an ACL from fastly.toml)");
            }
            m.writeI32(a.i32(2), s.acls.insert(name));
        });
        // lookup(acl, ip_octets, ip_len, body_out, acl_error_out)
        t.fastly(M, "lookup", (m, a) -> {
            List<AclEntry> entries = s.services().config().acls().get(s.acls.get(a.i32(0)));
            int len = a.i32(2);
            if (len != 4 && len != 16) {
                throw HostcallException.inval("acl address length: " + len + " (expected: 4 or 16)");
            }
            byte[] ip = m.read(a.i32(1), len);
            AclEntry best = null;
            int bestBits = -1;
            for (AclEntry entry : entries) {
                int bits = matchBits(entry.prefix(), ip);
                if (bits > bestBits) {
                    best = entry;
                    bestBits = bits;
                }
            }
            if (best == null) {
                m.writeI32(a.i32(4), ACL_NO_CONTENT);
                return;
            }
            String json = "{\"action\":\"" + best.action() + "\",\"prefix\":\"" + best.prefix() + "\"}";
            m.writeI32(a.i32(3), s.asyncItems.insert(Body.of(json.getBytes(StandardCharsets.UTF_8))));
            m.writeI32(a.i32(4), ACL_OK);
        });
    }

    /** The prefix length when {@code ip} is inside {@code prefix} ("addr/len"), else -1. */
    static int matchBits(String prefix, byte[] ip) {
        int slash = prefix.indexOf('/');
        byte[] net;
        try {
            net = InetAddress.getByName(slash < 0 ? prefix : prefix.substring(0, slash))
                    .getAddress();
        } catch (UnknownHostException e) {
            return -1;
        }
        if (net.length != ip.length) {
            return -1;
        }
        int bits = slash < 0 ? net.length * 8 : Integer.parseInt(prefix.substring(slash + 1));
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((net[i / 8] & mask) != (ip[i / 8] & mask)) {
                return -1;
            }
        }
        return bits;
    }
}
