package io.usertcp.link.tun;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test (class or method) that opens TUN devices or sends packets beyond loopback.
 *
 * <p>It is tagged {@code "tun"}, so Maven runs it only in the {@code tun-tests} Surefire execution,
 * whose JVM starts inside a fresh, private network namespace (build/netns/bin/java). Before each
 * test, {@link RequiresTunCondition} checks that it really runs in such a namespace and that TUN
 * devices can be created there. When not:
 * <ul>
 *   <li>with {@code CI=true} in the environment the test <b>fails</b> with the reason;
 *   <li>otherwise it is <b>skipped</b> (disabled) with the reason.
 * </ul>
 * Never a silent pass. Other modules get this annotation from tun-driver's test-jar.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("tun")
@ExtendWith(RequiresTunCondition.class)
public @interface RequiresTun {}
