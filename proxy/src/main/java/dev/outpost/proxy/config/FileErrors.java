package dev.outpost.proxy.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** A file that cannot be read, said as a user reads it: a phrase, never an exception's class name. */
public final class FileErrors {
    private FileErrors() {}

    /** Why reading failed: "no such file", "permission denied", "is a directory", or the system's own words. */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String reason = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        if (reason == null || reason.isBlank()) {
            return "read error";
        }
        return reason.toLowerCase(Locale.ROOT).startsWith("is a directory") ? "is a directory" : reason;
    }

    /** What stands in the way of reading {@code file} as a regular file, or null when nothing does. */
    public static String problem(Path file) {
        if (Files.isDirectory(file)) {
            return "is a directory";
        }
        if (!Files.exists(file)) {
            return "not found";
        }
        if (!Files.isRegularFile(file)) {
            return "not a regular file";
        }
        if (!Files.isReadable(file)) {
            return "permission denied";
        }
        return null;
    }

    /**
     * The message for a file given as {@code label} that cannot be read ({@code "routes file /x: is a directory
     * (expected: a readable file)"}), or null when it can.
     */
    public static String unreadable(String label, Path file, String expected) {
        String problem = problem(file);
        return problem == null ? null : label + " " + file + ": " + problem + " (expected: " + expected + ")";
    }
}
