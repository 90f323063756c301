/**
 * The native boundary: every JNA mapping, {@code struct ifreq} layout and ioctl number of the
 * project lives here, and nowhere else.
 *
 * <p>{@code LibC} binds libc with JNA direct mapping ({@code Native.register}) so the per-packet
 * calls ({@code read}, {@code write}, {@code poll}) cost one JNI transition each. {@link
 * io.usertcp.link.tun.jna.TunSys} wraps them in plain Java: descriptors are {@code int}, failures
 * are {@link io.usertcp.link.tun.jna.ErrnoException} with the errno. Callers above this package
 * never see a JNA type.
 *
 * <p>Owns nothing else: no policy, no error wording beyond the errno name (the friendly messages
 * that name a fix are built in {@code io.usertcp.link.tun}).
 */
package io.usertcp.link.tun.jna;
