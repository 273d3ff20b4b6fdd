package dev.outpost.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * A command run in this JVM: its exit code and what it printed, to {@code System.out} and {@code System.err} and
 * through picocli's own writers (help, version, usage errors).
 */
record CommandOutput(int code, String out, String err) {

    /**
     * Runs the command line {@code make} gives with {@code args}; one at a time, as {@code System.out} is the JVM's.
     * It is made once the streams are redirected: picocli's help writes where {@code System.out} was when the
     * command line was made.
     */
    static synchronized CommandOutput run(Supplier<CommandLine> make, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            CommandLine cl = make.get();
            StringWriter picocliOut = new StringWriter();
            StringWriter picocliErr = new StringWriter();
            cl.setOut(new PrintWriter(picocliOut, true));
            cl.setErr(new PrintWriter(picocliErr, true));
            int code = cl.execute(args);
            return new CommandOutput(code, out + picocliOut.toString(), err + picocliErr.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
