package io.usertcp.link.tun;

import java.io.IOException;

/**
 * Opening or configuring a TUN device failed. The message says what is wrong and how to fix it;
 * {@link #reason()} classifies it for code, {@link #errno()} is the kernel's error (0 when none).
 */
public final class TunException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The JNA native library or libc could not be loaded. */
        NATIVE_UNAVAILABLE,
        /** The TUN clone device (/dev/net/tun) does not exist, or the driver is not loaded. */
        NO_DEVICE_NODE,
        /** The clone device exists but this process may not open it. */
        DEVICE_NODE_ACCESS,
        /** Creating or configuring the interface needs CAP_NET_ADMIN, or the device belongs to someone else. */
        NO_PERMISSION,
        /** The interface is held by another open file. */
        BUSY,
        /** CREATE was asked for but the interface exists. */
        EXISTS,
        /** ATTACH was asked for but there is no such interface. */
        NO_SUCH_INTERFACE,
        /** An interface with that name exists but is not a TUN device in TUN mode. */
        NOT_A_TUN,
        /** The MTU is outside what the interface accepts. */
        MTU_OUT_OF_RANGE,
        /** Anything else; the message carries the system call and errno. */
        OTHER
    }

    private final Reason reason;
    private final int errno;

    public TunException(Reason reason, int errno, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.errno = errno;
    }

    public TunException(Reason reason, String message) {
        this(reason, 0, message, null);
    }

    public Reason reason() { return reason; }

    /** The errno behind this failure, or 0. */
    public int errno() { return errno; }

    static String mtuOutOfRangeMessage(int mtu, String name) {
        return "MTU " + mtu + " is out of range" + (name == null ? "" : " for TUN device " + name)
                + ": a TUN device accepts " + TunConfig.MIN_MTU + ".." + TunConfig.MAX_MTU
                + " (68 is the IPv4 minimum, RFC 791). Pick an MTU in that range, e.g. 1500 or 9000.";
    }
}
