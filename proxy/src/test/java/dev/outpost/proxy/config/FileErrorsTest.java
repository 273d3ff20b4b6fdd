package dev.outpost.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aFileThatCannotBeReadIsSaidInWords() {
        assertThat(reading(dir.resolve("missing.conf"))).isEqualTo("no such file");
        assertThat(reading(dir)).isEqualTo("is a directory");
        assertThat(FileErrors.describe(new IOException())).isEqualTo("read error");
    }

    @Test
    void theProblemIsKnownBeforeReading() throws IOException {
        Path file = Files.writeString(dir.resolve("routes"), "* test\n");

        assertThat(FileErrors.problem(file)).isNull();
        assertThat(FileErrors.problem(dir)).isEqualTo("is a directory");
        assertThat(FileErrors.problem(dir.resolve("nope"))).isEqualTo("not found");
        assertThat(FileErrors.problem(Path.of("/dev/null"))).isEqualTo("not a regular file");
        assertThat(FileErrors.unreadable("routes file", dir, "a readable file"))
                .isEqualTo("routes file " + dir + ": is a directory (expected: a readable file)");
        assertThat(FileErrors.unreadable("routes file", file, "a readable file"))
                .isNull();
    }

    private static String reading(Path file) {
        try {
            Files.readAllBytes(file);
            return "read";
        } catch (IOException e) {
            return FileErrors.describe(e);
        }
    }
}
