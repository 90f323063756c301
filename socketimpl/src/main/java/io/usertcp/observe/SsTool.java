package io.usertcp.observe;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.PrintStream;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code bin/usertcp ss PID}: the {@code ss -tinp}-like listing and the counters of every usertcp
 * stack in another JVM, read from outside through the JDK attach mechanism (which starts that JVM's
 * local JMX agent) and the stacks' MBeans. Without a PID, lists the JVMs that could be asked.
 *
 * <p>Usage: {@code ss [--counters] [--trace on|off] [--ladder CONNECTION] PID}
 */
public final class SsTool {
    private SsTool() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool; returns the exit status (0 ok, 1 failure, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean counters = false;
        String trace = null;
        String ladder = null;
        String pid = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--counters" -> counters = true;
                case "--trace" -> trace = i + 1 < args.length ? args[++i] : "";
                case "--ladder" -> ladder = i + 1 < args.length ? args[++i] : "";
                case "-h", "--help" -> {
                    usage(out);
                    return 0;
                }
                default -> pid = args[i];
            }
        }
        if (pid == null) {
            usage(err);
            err.println("Java processes (usertcp stacks show with 'ss PID'):");
            for (VirtualMachineDescriptor d : VirtualMachine.list()) {
                err.println("  " + d.id() + "  " + d.displayName());
            }
            return 2;
        }
        if (!pid.matches("\\d{1,10}") || (trace != null && !trace.equals("on") && !trace.equals("off"))) {
            usage(err);
            return 2;
        }
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                MBeanServerConnection m = c.getMBeanServerConnection();
                Set<ObjectName> names = m.queryNames(new ObjectName(Observability.DOMAIN + ":type=Stack,*"), null);
                if (names.isEmpty()) {
                    err.println("usertcp: process " + pid + " runs no usertcp stack");
                    return 1;
                }
                for (ObjectName n : names) {
                    out.println("usertcp stack " + n.getKeyProperty("name") + " (pid " + pid + ")");
                    if (trace != null) {
                        m.setAttribute(n, new javax.management.Attribute("TraceEnabled", trace.equals("on")));
                        out.println("tracing " + trace);
                    }
                    if (ladder != null) {
                        out.print(m.invoke(n, "ladder", new Object[] {ladder}, new String[] {String.class.getName()}));
                    } else {
                        out.print(m.invoke(n, "ss", null, null));
                    }
                    if (counters) {
                        out.print(m.invoke(n, "counters", null, null));
                    }
                }
            }
            return 0;
        } catch (Exception e) {
            err.println("usertcp: cannot read process " + pid + ": " + e);
            return 1;
        }
    }

    private static void usage(PrintStream p) {
        p.println("usage: bin/usertcp ss [--counters] [--trace on|off] [--ladder LOCAL-REMOTE] PID");
        p.println("  Lists the TCP connections of the usertcp stacks in Java process PID, like ss -tinp:");
        p.println("  state, queues, addresses, mss, cwnd, ssthresh, rtt/rttvar, rto, retransmits, bytes.");
        p.println("  --counters  also the stack counters (packets, drops by reason, resets, checksum errors)");
        p.println("  --trace     switch the per-segment trace of the stacks on or off");
        p.println("  --ladder    the ladder diagram of one traced connection, e.g. 127.0.0.1:40000-127.0.0.1:7");
    }
}
