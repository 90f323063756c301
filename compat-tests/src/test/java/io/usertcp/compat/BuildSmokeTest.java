package io.usertcp.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Placeholder until the compat suite lands: proves the module builds and runs on this JDK. */
class BuildSmokeTest {
    @Test
    void runsOnAtLeastJava17() {
        assertEquals(true, Runtime.version().feature() >= 17);
    }
}
