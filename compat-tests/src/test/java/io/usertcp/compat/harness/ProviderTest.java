package io.usertcp.compat.harness;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A parity test: runs once per provider of {@link Providers#all()}; the report shows the provider
 * as the invocation name. The method takes {@code (SocketProvider p, Case c)}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("io.usertcp.compat.harness.Providers#all")
@ExtendWith(ProviderExtension.class)
public @interface ProviderTest {}
