package dev.outpost.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code outpost publish} in-process with a given environment and standard input. */
record PublishRun(int code, String out, String err) {
    static final Instant NOW = Instant.now();

    static PublishRun run(Map<String, String> env, byte[] stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PublishCommand command = new PublishCommand(env, () -> new ByteArrayInputStream(stdin));
        CommandLine cl = new CommandLine(PublishCommand.spec(command)).setExpandAtFiles(false); // as Main configures it
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new PublishRun(code, out.toString(), err.toString());
    }

    static PublishRun run(String... args) {
        return run(Map.of(), new byte[0], args);
    }
}
