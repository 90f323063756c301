package io.usertcp.link.tun.jna;

import java.io.IOException;

/** A system call failed; {@link #errno()} says why. Callers turn it into a message that names the fix. */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String call;

    public ErrnoException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    public int errno() { return errno; }

    /** The call that failed, e.g. {@code "ioctl(TUNSETIFF)"}. */
    public String call() { return call; }
}
