package io.usertcp.link.tun;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.opentest4j.AssertionFailedError;

/** Runs in the ordinary (host-namespace) test JVM: a TUN test must refuse to run here. */
class RequiresTunConditionTest {

    @Test
    void tunTestsRefuseToRunOutsideAPrivateNamespace() {
        assumeFalse("1".equals(System.getenv(RequiresTunCondition.IN_NETNS_ENV)), "this JVM was started inside the netns wrapper");
        String reason = RequiresTunCondition.unmetReason();
        assertNotNull(reason);
        assertTrue(reason.contains("private network namespace"), reason);

        RequiresTunCondition condition = new RequiresTunCondition();
        ConditionEvaluationResult r = condition.evaluateExecutionCondition(null);
        if (RequiresTunCondition.onCi()) {
            // CI: enabled, then failed before the test body with the reason.
            assertFalse(r.isDisabled());
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> condition.beforeEach(null));
            assertTrue(e.getMessage().contains("CI=true") && e.getMessage().contains(reason), e.getMessage());
        } else {
            assertTrue(r.isDisabled());
            assertTrue(r.getReason().orElseThrow().contains(reason), r.getReason().orElseThrow());
        }
    }
}
