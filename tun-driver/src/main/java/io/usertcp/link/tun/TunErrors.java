package io.usertcp.link.tun;

import io.usertcp.link.tun.jna.Errno;
import io.usertcp.link.tun.jna.ErrnoException;
import io.usertcp.link.tun.TunException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns failed system calls into messages that say what is wrong and the command that fixes it. */
final class TunErrors {
    private TunErrors() {}

    /** Name used in example commands when the kernel was to choose one. */
    static final String EXAMPLE_NAME = "usertcp0";

    static String user() {
        String u = System.getProperty("user.name");
        return u == null || u.isBlank() ? "$USER" : u;
    }

    static String ipTuntapAddLine(String name) {
        return "sudo ip tuntap add dev " + exampleName(name) + " mode tun user " + user();
    }

    static String exampleName(String name) {
        return name == null || name.contains("%") ? EXAMPLE_NAME : name;
    }

    private static final String MODPROBE_HINT = "Load the TUN driver as root with `modprobe tun`. If the driver is loaded (or built in)"
            + " but the device node is missing, create it: `mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun`."
            + " In a container, pass the device in (e.g. `docker run --device /dev/net/tun --cap-add NET_ADMIN`).";

    /** open() of the clone device failed. */
    static TunException openFailed(String path, ErrnoException e) {
        int err = e.errno();
        switch (err) {
            case Errno.ENOENT: {
                String what = TunConfig.DEFAULT_DEVICE_PATH.equals(path)
                        ? "no TUN clone device: " + path + " does not exist. "
                        : "no TUN clone device: " + path + " (TunConfig.devicePath) does not exist"
                                + (Files.exists(Path.of(TunConfig.DEFAULT_DEVICE_PATH)) ? "; the standard path is "
                                        + TunConfig.DEFAULT_DEVICE_PATH + ", which does exist. " : ". ");
                return new TunException(Reason.NO_DEVICE_NODE, err, what + MODPROBE_HINT, e);
            }
            case Errno.ENXIO:
            case Errno.ENODEV:
                return new TunException(Reason.NO_DEVICE_NODE, err, "the TUN driver is not loaded (" + path + " gives "
                        + Errno.describe(err) + "). " + MODPROBE_HINT, e);
            case Errno.EACCES:
            case Errno.EPERM:
                return new TunException(Reason.DEVICE_NODE_ACCESS, err, "permission denied opening " + path + " as user " + user()
                        + " (" + Errno.describe(err) + "). Make the clone device usable by everyone, as most distributions do"
                        + " (the kernel still checks CAP_NET_ADMIN or device ownership): `sudo chmod 0666 " + path
                        + "`; or run as root.", e);
            default:
                return new TunException(Reason.OTHER, err, "cannot open " + path + ": " + Errno.describe(err), e);
        }
    }

    /** ioctl(TUNSETIFF) failed. */
    static TunException setIffFailed(TunConfig c, boolean existed, ErrnoException e) {
        int err = e.errno();
        String name = c.name();
        String shown = name == null ? "(kernel-chosen name)" : name;
        switch (err) {
            case Errno.EPERM:
                if (existed) {
                    return new TunException(Reason.NO_PERMISSION, err, "not allowed to attach to TUN device " + name
                            + ": it belongs to another user or group, and this process (user " + user()
                            + ") lacks CAP_NET_ADMIN. Recreate it for this user: `sudo ip tuntap del dev " + name
                            + " mode tun && " + ipTuntapAddLine(name) + "`, or run with CAP_NET_ADMIN.", e);
                }
                return new TunException(Reason.NO_PERMISSION, err, noNetAdminMessage(c), e);
            case Errno.EBUSY:
                if (c.mode() == TunConfig.Mode.CREATE && existed) {
                    return exists(name, e);
                }
                return new TunException(Reason.BUSY, err, "TUN device " + shown + " is busy: another process (or another"
                        + " TunDevice in this JVM) has it open, and a single-queue TUN device accepts one open file at a time."
                        + " Close the other user (find it with `ls -l /proc/*/fd 2>/dev/null | grep net/tun`) or choose another name.", e);
            case Errno.EINVAL:
                return new TunException(Reason.NOT_A_TUN, err, "an interface named " + shown + " exists but is not a TUN"
                        + " device in tun mode (it may be a TAP device or another kind of link, see `ip -d link show " + shown
                        + "`). Choose another name, or delete it (`sudo ip link del " + shown + "`).", e);
            default:
                return new TunException(Reason.OTHER, err, "cannot set up TUN device " + shown + ": ioctl(TUNSETIFF) failed with "
                        + Errno.describe(err), e);
        }
    }

    static TunException exists(String name, Throwable cause) {
        return new TunException(Reason.EXISTS, Errno.EBUSY, "an interface named " + name + " exists already and TunConfig.mode"
                + " is CREATE. Use mode CREATE_OR_ATTACH or ATTACH to use it, choose another name, or delete it (`sudo ip link del "
                + name + "`).", cause);
    }

    static TunException noSuchInterface(String name) {
        return new TunException(Reason.NO_SUCH_INTERFACE, "no TUN device named " + name + " exists in this network namespace"
                + " and TunConfig.mode is ATTACH. Create a persistent one this user may attach to: `" + ipTuntapAddLine(name)
                + "` (configure it with `sudo ip addr add 198.18.0.1/24 dev " + name + " && sudo ip link set " + name
                + " up`), or use mode CREATE_OR_ATTACH with CAP_NET_ADMIN.");
    }

    static String noNetAdminMessage(TunConfig c) {
        String name = exampleName(c.name());
        String addr = c.hasKernelAddress() ? Ipv4.format(c.kernelAddress()) + "/" + c.prefixLength() : "198.18.0.1/24";
        return "cannot create TUN device " + (c.name() == null ? "(kernel-chosen name)" : c.name())
                + ": creating a TUN device needs CAP_NET_ADMIN, which this process (user " + user() + ") lacks."
                + " Either run with CAP_NET_ADMIN (as root, or inside a user and network namespace:"
                + " `unshare --user --map-root-user --net`), or have an administrator create a persistent device"
                + " that this user may attach to without privileges:\n    " + ipTuntapAddLine(name)
                + "\n    sudo ip addr add " + addr + " dev " + name + " && sudo ip link set " + name + " up"
                + "\nthen open it with TunConfig.builder().name(\"" + name + "\").attach().build() (no kernelAddress, no mtu).";
    }

    /** A SIOC* ioctl configuring the kernel side failed. */
    static TunException configureFailed(TunConfig c, String name, String what, ErrnoException e) {
        int err = e.errno();
        if (err == Errno.EPERM || err == Errno.EACCES) {
            String addr = c.hasKernelAddress() ? Ipv4.format(c.kernelAddress()) + "/" + c.prefixLength() : "198.18.0.1/24";
            return new TunException(Reason.NO_PERMISSION, err, "cannot configure the kernel side of TUN device " + name + " ("
                    + what + ", " + e.call() + "): that needs CAP_NET_ADMIN, which this process (user " + user() + ") lacks."
                    + " Configure the device beforehand as root — `sudo ip addr add " + addr + " dev " + name
                    + (c.mtu() != 0 ? " && sudo ip link set " + name + " mtu " + c.mtu() : "")
                    + " && sudo ip link set " + name + " up` — and open it with no kernelAddress, mtu or txQueueLength.", e);
        }
        if (what.startsWith("MTU") && err == Errno.EINVAL) {
            return new TunException(Reason.MTU_OUT_OF_RANGE, err, TunException.mtuOutOfRangeMessage(c.mtu(), name), e);
        }
        return new TunException(Reason.OTHER, err, "cannot configure TUN device " + name + " (" + what + "): " + e.call()
                + " failed with " + Errno.describe(err), e);
    }
}
