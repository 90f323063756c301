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
        start(args);
    }

    public static void premain(String args) {
        start(args);
    }

    /** Attach at run time (or {@code Launcher-Agent-Class}); sockets made before keep the kernel stack. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args);
    }

    public static void agentmain(String args) {
        start(args);
    }

    private static synchronized void start(String args) {
        if (instance != null) {
            return; // loaded twice: the factories are already ours
        }
        try {
            instance = startAndInstall(args);
        } catch (AgentOptions.BadOptionException e) {
            fail(e.getMessage());
        } catch (Throwable t) {
            fail("cannot start: " + oneLine(t));
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

    private static void fail(String message) {
        System.err.println("usertcp: " + message);
        System.err.flush();
        System.exit(EXIT_FAILURE);
    }

    /** The message chain of {@code t} on one line, without a stack trace. */
    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 600; c = c.getCause()) {
            String m = c.getMessage();
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(m == null || m.isBlank() ? c.getClass().getSimpleName() : m.replace('\n', ' '));
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }
}
