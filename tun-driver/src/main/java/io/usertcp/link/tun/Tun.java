package io.usertcp.link.tun;

import io.usertcp.link.tun.jna.ErrnoException;
import io.usertcp.link.tun.jna.TunSys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Can this process use TUN devices, and if not, why not and how to fix it (Netty's
 * {@code Epoll.isAvailable()/unavailabilityCause()} pattern). Computed once, on first use, without
 * creating any interface: it loads the native library, opens and closes {@code /dev/net/tun}, and
 * reads this process's effective capabilities.
 *
 * <ul>
 *   <li>{@link #isAvailable()}: TUN devices can be opened at all (enough to attach to a persistent
 *       device this user owns);
 *   <li>{@link #canCreate()}: additionally, this process holds CAP_NET_ADMIN, so it can create TUN
 *       devices and configure their address and MTU.
 * </ul>
 */
public final class Tun {

    /** CAP_NET_ADMIN's bit in the capability sets ({@code <linux/capability.h>}). */
    static final int CAP_NET_ADMIN = 12;

    private Tun() {}

    private static final class Holder {
        static final TunException CAUSE = computeCause();
        static final TunException CREATE_CAUSE = CAUSE != null ? CAUSE : computeCreateCause();
    }

    /** True when TUN devices can be opened (native library loads, {@code /dev/net/tun} opens). */
    public static boolean isAvailable() {
        return Holder.CAUSE == null;
    }

    /** Why TUN devices cannot be used, with the fix in the message; null when {@link #isAvailable()}. */
    public static Throwable unavailabilityCause() {
        return Holder.CAUSE;
    }

    /** Throws the {@link #unavailabilityCause()} (a {@link TunException}) unless {@link #isAvailable()}. */
    public static void ensureAvailable() throws TunException {
        TunException c = Holder.CAUSE;
        if (c != null) {
            throw new TunException(c.reason(), c.errno(), c.getMessage(), c);
        }
    }

    /** True when this process can create TUN devices and configure them (CAP_NET_ADMIN). */
    public static boolean canCreate() {
        return Holder.CREATE_CAUSE == null;
    }

    /** Why this process cannot create TUN devices; null when {@link #canCreate()}. */
    public static Throwable createUnavailabilityCause() {
        return Holder.CREATE_CAUSE;
    }

    private static TunException computeCause() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return new TunException(TunException.Reason.NATIVE_UNAVAILABLE, "TUN devices are supported on Linux only; this is "
                    + System.getProperty("os.name") + ".");
        }
        try {
            TunSys.load();
        } catch (LinkageError | RuntimeException e) {
            return new TunException(TunException.Reason.NATIVE_UNAVAILABLE, 0, nativeUnavailableMessage(e), e);
        }
        String path = TunConfig.DEFAULT_DEVICE_PATH;
        try {
            int fd = TunSys.open(path, TunSys.O_RDWR | TunSys.O_CLOEXEC);
            TunSys.close(fd);
            return null;
        } catch (ErrnoException e) {
            return TunErrors.openFailed(path, e);
        }
    }

    private static TunException computeCreateCause() {
        if (hasNetAdmin()) {
            return null;
        }
        return new TunException(TunException.Reason.NO_PERMISSION, TunErrors.noNetAdminMessage(TunConfig.builder().build()));
    }

    /** True when CAP_NET_ADMIN is in this process's effective set (read from /proc/self/status). */
    public static boolean hasNetAdmin() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String l : lines) {
                if (l.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(l.substring(7).trim(), 16);
                    return (caps & (1L << CAP_NET_ADMIN)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: unknown means "try and see"; opening will report the real error
            return true;
        }
        return true;
    }

    static String nativeUnavailableMessage(Throwable e) {
        return "the native library for TUN access could not be loaded (JNA: " + e + "). usertcp needs JNA's libjnidispatch for"
                + " linux-" + System.getProperty("os.arch") + " (shipped inside the jna jar) and a writable temporary directory"
                + " (java.io.tmpdir, or set -Djna.tmpdir=DIR); on JDK 22+ start java with --enable-native-access=ALL-UNNAMED.";
    }
}
