package io.usertcp.compat.harness;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The harness itself: a difference fails and prints both outcomes; equal outcomes pass. */
class ParityHarnessTest {

    private static Outcome outcome(String provider, String read, String state) {
        Recorder r = new Recorder();
        r.value("read", read);
        r.value("state", state);
        return new Outcome("Harness.case", provider, r, null);
    }

    @Test
    void mismatchFailsAndPrintsBoth() {
        Outcome jdk = outcome("jdk", "java.net.SocketException: Connection reset", "closed=false");
        Outcome other = outcome("other", "-1", "closed=false");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Parity.compare(jdk, other));
        String m = e.getMessage();
        assertTrue(m.contains("read: jdk <java.net.SocketException: Connection reset> vs other <-1>"), m);
        assertTrue(m.contains("outcome of Harness.case on jdk"), m);
        assertTrue(m.contains("outcome of Harness.case on other"), m);
    }

    @Test
    void missingKeyIsAMismatch() {
        Recorder r = new Recorder();
        r.value("read", "1");
        Outcome jdk = new Outcome("Harness.case", "jdk", r, null);
        Outcome other = new Outcome("Harness.case", "other", new Recorder(), null);
        assertThrows(AssertionFailedError.class, () -> Parity.compare(jdk, other));
    }

    @Test
    void equalOutcomesPass() {
        assertDoesNotThrow(() -> Parity.compare(outcome("jdk", "1", "x"), outcome("other", "1", "x")));
    }

    @Test
    void scenarioFailureFailsEvenWhenValuesAgree() {
        Outcome jdk = outcome("jdk", "1", "x");
        Recorder r = new Recorder();
        r.value("read", "1");
        r.value("state", "x");
        Outcome other = new Outcome("Harness.case", "other", r, new IllegalStateException("boom"));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Parity.compare(jdk, other));
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
    }

    @Test
    void expectFailsWithTheWholeOutcome() {
        Outcome o = outcome("jdk", "1", "x");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> o.expect("read", "2"));
        assertTrue(e.getMessage().contains("state = x"), e.getMessage());
    }
}
