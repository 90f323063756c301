package io.usertcp.link.tun;

/**
 * A tiny program run as a child process (without capabilities) by {@link TunPermissionTest}.
 * Usage: {@code TunProbe create NAME | attach NAME | attach-config NAME CIDR | can-create}.
 * Prints {@code OK <name> <mtu>} or {@code ERR <reason>} followed by the message, exit code 0.
 */
public final class TunProbe {
    private TunProbe() {}

    public static void main(String[] args) {
        try {
            switch (args[0]) {
                case "can-create": {
                    Throwable t = Tun.createUnavailabilityCause();
                    System.out.println(t == null ? "OK can-create" : "ERR NO_PERMISSION\n" + t.getMessage());
                    return;
                }
                case "create":
                    report(TunConfig.builder().name(args[1]).create().kernelAddress("198.18.4.1/24").build());
                    return;
                case "attach":
                    report(TunConfig.builder().name(args[1]).attach().build());
                    return;
                case "attach-config":
                    report(TunConfig.builder().name(args[1]).attach().kernelAddress(args[2]).build());
                    return;
                default:
                    System.out.println("ERR usage");
            }
        } catch (TunException e) {
            System.out.println("ERR " + e.reason() + "\n" + e.getMessage());
        } catch (Exception e) {
            System.out.println("ERR " + e);
        }
    }

    private static void report(TunConfig c) throws Exception {
        try (TunDevice d = TunDevice.open(c)) {
            System.out.println("OK " + d.name() + " " + d.mtu());
        }
    }
}
