package io.usertcp.net;

import java.lang.instrument.Instrumentation;
import java.time.Duration;

/**
 * The java agent: {@code java -javaagent:usertcp-agent.jar[=OPTIONS] …} starts a usertcp stack and
 * installs both socket factories before {@code main}, so that every {@code java.net.Socket} and
 * {@code ServerSocket} of the program (and of HttpURLConnection, JSSE, JDBC drivers, …) runs over
 * usertcp. Options: see {@link AgentOptions}.
 *
 * <p>The agent never kills the JVM with a stack trace: a bad option or a stack that cannot start
 * prints one line starting with {@code usertcp:} and exits with status 1.
 */
public final class Agent {
    private Agent() {}

    /** Exit status for a bad option or a failed start. */
    static final int EXIT_FAILURE = 1;

    private static volatile UserTcp instance;

    /** The running instance, or null before premain or when the agent is not loaded. */
    public static UserTcp instance() {
        return instance;
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    public static void premain(String args) {
        start(args, null, true);
    }

    /**
     * Attach at run time (or {@code Launcher-Agent-Class}); sockets made before keep the kernel
     * stack. A failure here prints its one line and leaves the running program alone (it keeps
     * the kernel's sockets) instead of exiting.
     */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args) {
        start(args, null, false);
    }

    private static synchronized void start(String args, Instrumentation inst, boolean exitOnFailure) {
        if (instance != null) {
            return; // loaded twice: the factories are already ours
        }
        try {
            if (AgentOptions.parse(args, System.getProperties()).tun() != null) {
                enableNativeAccess(inst);
            }
            instance = startAndInstall(args);
        } catch (AgentOptions.BadOptionException e) {
            fail(e.getMessage(), exitOnFailure);
        } catch (Throwable t) {
            fail("cannot start: " + oneLine(t), exitOnFailure);
        }
    }

    static UserTcp startAndInstall(String args) throws Exception {
        UserTcp.Config config = AgentOptions.parse(args, System.getProperties());
        UserTcp ut = UserTcp.start(config);
        try {
            ut.installFactories();
        } catch (Throwable t) {
            ut.close();
            throw t;
        }
        Thread hook = new Thread(() -> {
            // Let traced connections finish (TIME-WAIT is 2*MSL) so that their ladders are whole.
            Duration msl = config.msl() != null ? config.msl() : Duration.ofSeconds(1);
            ut.finishTrace(msl.multipliedBy(2).plusMillis(500).compareTo(Duration.ofSeconds(10)) > 0
                    ? Duration.ofSeconds(10) : msl.multipliedBy(2).plusMillis(500));
            ut.close();
        }, "usertcp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return ut;
    }

    /**
     * JDK 22+ warns when code without native access loads a native library (JNA does, for the TUN
     * device), and JDK 24+ does so for JNI too: {@code WARNING: A restricted method in
     * java.lang.System has been called}. The cure is {@code --enable-native-access=ALL-UNNAMED};
     * the jar manifest's {@code Enable-Native-Access} counts only for {@code java -jar}, not for
     * {@code -javaagent}. So that the agent line alone runs quietly, the agent grants the class
     * path native access itself when nobody did: it opens {@code java.lang} to the class path's
     * module through {@link Instrumentation#redefineModule} and calls the JDK's own
     * {@code Module.implAddEnableNativeAccessToAllUnnamed} (what the command-line flag does).
     * Best effort: on any failure the JDK just prints its warning, nothing else changes. Deviation
     * worth knowing: the class path then also has deep reflective access to {@code java.lang}.
     */
    static void enableNativeAccess(Instrumentation inst) {
        if (inst == null || Runtime.version().feature() < 22) {
            return; // JDK 17-21: no restricted-method warnings for JNI
        }
        try {
            Module self = Agent.class.getModule();
            if ((Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(self)) {
                return; // --enable-native-access=ALL-UNNAMED was given
            }
            inst.redefineModule(Object.class.getModule(), java.util.Set.of(), java.util.Map.of(),
                    java.util.Map.of("java.lang", java.util.Set.of(self)), java.util.Set.of(), java.util.Map.of());
            java.lang.reflect.Method m = Module.class.getDeclaredMethod("implAddEnableNativeAccessToAllUnnamed");
            m.setAccessible(true);
            m.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // a JDK without this internal method: the JDK prints its warning, that is all
        }
    }

    private static void fail(String message, boolean exit) {
        System.err.println("usertcp: " + message);
        System.err.flush();
        if (exit) {
            System.exit(EXIT_FAILURE);
        }
    }

    /** The message chain of {@code t} on one line, without a stack trace. */
    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 600; c = c.getCause()) {
            String m = c.getMessage();
            String text = m == null || m.isBlank() ? c.getClass().getSimpleName() : m.replace('\n', ' ').strip();
            if (sb.indexOf(text) >= 0) {
                continue; // a wrapper that repeats its cause's message
            }
            if (sb.length() > 0) {
                if (sb.charAt(sb.length() - 1) == '.') {
                    sb.setLength(sb.length() - 1);
                }
                sb.append(": ");
            }
            sb.append(text);
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }
}
