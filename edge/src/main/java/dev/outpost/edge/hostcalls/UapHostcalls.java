package dev.outpost.edge.hostcalls;

/** {@code fastly_uap}: the deprecated user-agent parser, which only Fastly's network has (Viceroy lacks it too). */
final class UapHostcalls {
    void register(HostcallTable t) {
        t.unsupported(
                "fastly_uap",
                "parse",
                "deprecated; Fastly's user-agent database exists only in its network (parse the header in the program)");
    }
}
