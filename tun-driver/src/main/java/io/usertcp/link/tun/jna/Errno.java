package io.usertcp.link.tun.jna;

/** The errno values the TUN code reacts to, with their symbolic names (Linux, all architectures). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOBUFS = 105;
    public static final int EBADFD = 77;
    public static final int EADDRNOTAVAIL = 99;

    private Errno() {}

    /** "EPERM (Operation not permitted)" style text for a message. */
    public static String describe(int errno) {
        String name = switch (errno) {
            case EPERM -> "EPERM (Operation not permitted)";
            case ENOENT -> "ENOENT (No such file or directory)";
            case EINTR -> "EINTR (Interrupted system call)";
            case EIO -> "EIO (Input/output error)";
            case ENXIO -> "ENXIO (No such device or address)";
            case EBADF -> "EBADF (Bad file descriptor)";
            case EAGAIN -> "EAGAIN (Resource temporarily unavailable)";
            case ENOMEM -> "ENOMEM (Cannot allocate memory)";
            case EACCES -> "EACCES (Permission denied)";
            case EFAULT -> "EFAULT (Bad address)";
            case EBUSY -> "EBUSY (Device or resource busy)";
            case EEXIST -> "EEXIST (File exists)";
            case ENODEV -> "ENODEV (No such device)";
            case EINVAL -> "EINVAL (Invalid argument)";
            case ENFILE -> "ENFILE (Too many open files in system)";
            case EMFILE -> "EMFILE (Too many open files)";
            case ENOTTY -> "ENOTTY (Inappropriate ioctl for device)";
            case EBADFD -> "EBADFD (File descriptor in bad state)";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL (Cannot assign requested address)";
            case ENOBUFS -> "ENOBUFS (No buffer space available)";
            default -> null;
        };
        return name != null ? name : "errno " + errno;
    }
}
