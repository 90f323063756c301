package io.usertcp.net;

import java.io.PrintStream;

/**
 * The agent jar's {@code Main-Class}: {@code java -jar usertcp-agent.jar --help} explains how to
 * run a program over usertcp; the {@code demo-*} commands are the two ends of {@code bin/usertcp demo}.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        String cmd = args.length == 0 ? "--help" : args[0];
        String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (cmd) {
            case "demo-server":
                DemoServer.main(rest);
                break;
            case "demo-client":
                DemoClient.main(rest);
                break;
            case "--help":
            case "-h":
            case "help":
                help(System.out);
                break;
            default:
                System.err.println("usertcp: unknown command '" + cmd + "'");
                help(System.err);
                System.exit(2);
        }
    }

    static void help(PrintStream out) {
        out.println("usertcp: a userspace TCP/IP stack for the JVM.");
        out.println();
        out.println("Run any Java program over usertcp with the agent (both socket factories are installed before main):");
        out.println("  java -javaagent:usertcp-agent.jar=tun=ut0,address=198.18.0.2/24,gateway=198.18.0.1 -jar app.jar");
        out.println("On JDK 22 and later add --enable-native-access=ALL-UNNAMED (the TUN device is reached through JNA).");
        out.println("Or: bin/usertcp run [--netns] [OPTIONS] -- java ARGS...   and   bin/usertcp demo");
        out.println();
        out.println("Agent options (comma-separated, or system properties -Dusertcp.KEY=VALUE):");
        for (String form : AgentOptions.formLines()) {
            out.println("  " + form);
        }
        out.println();
        out.println("Without tun= the stack has only its loopback (127.0.0.0/8). Creating a TUN needs CAP_NET_ADMIN;");
        out.println("without it, have an administrator create one: ip tuntap add dev ut0 mode tun user $USER");
    }
}
