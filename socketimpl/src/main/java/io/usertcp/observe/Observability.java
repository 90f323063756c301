package io.usertcp.observe;

import io.usertcp.stack.Stack;
import java.lang.management.ManagementFactory;
import java.util.Objects;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Everything observable about one stack, switched on by {@link #attach}: its MBean
 * ({@code io.usertcp:type=Stack,name=NAME} on the platform MBean server), its JFR events, and a
 * {@link TraceRecorder} that tracing (off until {@link #setTracing}, or the MBean's
 * {@code TraceEnabled}) fills. {@link #close()} takes it all away again; the stack itself runs on.
 */
public final class Observability implements AutoCloseable {

    /** The JMX domain. */
    public static final String DOMAIN = "io.usertcp";

    private static final System.Logger LOG = System.getLogger(Observability.class.getName());

    private final Stack stack;
    private final TraceRecorder recorder;
    private final JfrEvents jfr = new JfrEvents();
    private final ObjectName objectName; // null when not registered
    private volatile boolean closed;

    private Observability(Stack stack, String name, TraceRecorder recorder) {
        this.stack = stack;
        this.recorder = recorder;
        stack.addStateListener(jfr);
        this.objectName = register(new StackMonitor(name, stack, recorder), name);
    }

    /** Registers the MBean (named {@code name}, made unique) and the JFR events of {@code stack}. */
    public static Observability attach(Stack stack, String name) {
        return new Observability(Objects.requireNonNull(stack, "stack"), Objects.requireNonNull(name, "name"),
                new TraceRecorder());
    }

    /** As {@link #attach(Stack, String)}, tracing into {@code recorder}. */
    public static Observability attach(Stack stack, String name, TraceRecorder recorder) {
        return new Observability(Objects.requireNonNull(stack, "stack"), Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(recorder, "recorder"));
    }

    private static ObjectName register(StackMonitor mbean, String name) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        String base = name.replaceAll("[,=:*?\"\\n]", "_");
        for (int i = 1; i < 1000; i++) {
            try {
                ObjectName on = new ObjectName(DOMAIN + ":type=Stack,name=" + (i == 1 ? base : base + "-" + i));
                if (server.isRegistered(on)) {
                    continue;
                }
                server.registerMBean(mbean, on);
                return on;
            } catch (javax.management.InstanceAlreadyExistsException e) {
                // raced with another registration: next name
            } catch (JMException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "usertcp: cannot register the stack MBean", e);
                return null;
            }
        }
        return null;
    }

    /** The stack observed. */
    public Stack stack() {
        return stack;
    }

    /** Where traces are recorded. */
    public TraceRecorder recorder() {
        return recorder;
    }

    /** The MBean's name, or null when it could not be registered. */
    public ObjectName objectName() {
        return objectName;
    }

    /** Switches tracing of every segment and state change on or off (off by default). */
    public void setTracing(boolean on) {
        if (on && !closed) {
            recorder.attach(stack);
        } else {
            recorder.detach(stack);
        }
    }

    public boolean isTracing() {
        return stack.tracer() == recorder;
    }

    /** Unregisters the MBean, removes the JFR listener, stops tracing. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        recorder.detach(stack);
        stack.removeStateListener(jfr);
        if (objectName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
            } catch (JMException e) {
                // already gone
            }
        }
    }
}
