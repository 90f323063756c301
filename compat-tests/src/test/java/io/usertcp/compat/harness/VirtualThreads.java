package io.usertcp.compat.harness;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Virtual threads through reflection: the suite compiles with {@code --release 17} and runs on
 * JDK 17 (no virtual threads; cases skip) and JDK 25.
 */
public final class VirtualThreads {
    public static final boolean AVAILABLE = Runtime.version().feature() >= 21;

    private VirtualThreads() {}

    /** Starts {@code r} on a new virtual thread. */
    public static Thread start(String name, Runnable r) {
        requireAvailable();
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class).invoke(builder, name);
            return (Thread) builderType.getMethod("start", Runnable.class).invoke(builder, r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start a virtual thread on JDK " + Runtime.version(), e);
        }
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}. */
    public static ExecutorService newPerTaskExecutor() {
        requireAvailable();
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no virtual-thread executor on JDK " + Runtime.version(), e);
        }
    }

    public static boolean isVirtual(Thread t) {
        if (!AVAILABLE) {
            return false;
        }
        try {
            Method m = Thread.class.getMethod("isVirtual");
            return (Boolean) m.invoke(t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireAvailable() {
        if (!AVAILABLE) {
            throw new IllegalStateException("virtual threads need JDK 21+, this is " + Runtime.version());
        }
    }
}
