package dev.outpost.edge.sandbox;

/** Receives guest log output: logging endpoints by name, and the guest's {@code stdout}/{@code stderr}. */
@FunctionalInterface
public interface LogSink {
    /** One line, without its newline. */
    void line(String endpoint, String message);

    /** Viceroy's format, {@code <endpoint> :: <message>} on standard output. */
    static LogSink stdout() {
        return (endpoint, message) -> System.out.println(endpoint + " :: " + message);
    }
}
