package io.usertcp.hardening;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Collects the figures the hardening tests measure into target/reliability-figures.txt (for RELIABILITY.md). */
final class Reliability {
    private Reliability() {}

    static synchronized void record(String line) {
        try {
            Path p = Path.of("target", "reliability-figures.txt");
            Files.createDirectories(p.getParent());
            Files.writeString(p, java.time.Instant.now() + " " + line + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("could not record figure: " + e);
        }
    }
}
