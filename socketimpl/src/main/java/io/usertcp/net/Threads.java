package io.usertcp.net;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Whether a thread is virtual, on every JDK from 17: {@code Thread.isVirtual()} exists from 21 (19 as
 * preview) and not at all on 17, so it is looked up once through a method handle; on 17 every thread
 * is a platform thread.
 */
final class Threads {
    private Threads() {}

    private static final MethodHandle IS_VIRTUAL = lookupIsVirtual();

    private static MethodHandle lookupIsVirtual() {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // JDK 17: no virtual threads
        }
    }

    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            return false;
        }
    }

    static boolean currentIsVirtual() {
        return isVirtual(Thread.currentThread());
    }
}
