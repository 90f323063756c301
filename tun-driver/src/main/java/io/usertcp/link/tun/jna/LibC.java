package io.usertcp.link.tun.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The libc functions usertcp calls, bound with JNA <em>direct mapping</em> ({@link Native#register}):
 * each call is one JNI transition with no reflection, no argument boxing and no allocation, which
 * matters because {@code read}, {@code write} and {@code poll} run once per packet.
 *
 * <p>Pointers are passed as {@code long} addresses (x86-64 and aarch64 pass both in one integer
 * register), so callers hand in the address of a direct {@code ByteBuffer} or of JNA
 * {@code Memory} without wrapping it. The {@code byte[]} overloads serve heap buffers (JNA pins or
 * copies the array for the call). A failing call returns -1 and leaves errno in
 * {@link Native#getLastError()}, which JNA saves right after the call.
 */
final class LibC {
    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {}

    static native int open(String path, int flags);
    static native int close(int fd);
    static native long read(int fd, long buf, long count);
    static native long read(int fd, byte[] buf, long count);
    static native long write(int fd, long buf, long count);
    static native long write(int fd, byte[] buf, long count);
    static native long readv(int fd, long iov, int iovcnt);
    static native long writev(int fd, long iov, int iovcnt);
    static native int poll(long fds, long nfds, int timeoutMillis);
    static native int ioctl(int fd, long request, long arg);
    static native int socket(int domain, int type, int protocol);
    static native int eventfd(int initval, int flags);
}
