package io.usertcp.compat.harness;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/** Resolves {@link Case} parameters and skips invocations that received a {@link DisabledProvider}. */
public final class ProviderExtension implements ParameterResolver, InvocationInterceptor {

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == Case.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return new Case(caseId(ec));
    }

    public static String caseId(ExtensionContext ec) {
        return ec.getRequiredTestClass().getSimpleName() + "." + ec.getRequiredTestMethod().getName();
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> ic, ExtensionContext ec) throws Throwable {
        for (Object arg : ic.getArguments()) {
            if (arg instanceof DisabledProvider d) {
                invocation.skip();
                throw new TestAbortedException("provider " + d.name() + " disabled: " + d.reason());
            }
        }
        invocation.proceed();
    }
}
