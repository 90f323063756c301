/**
 * The link benchmark ({@link io.usertcp.link.bench.LinkBenchmark}): raw TUN packets/s and Gbit/s
 * from one JVM thread in each direction, with the kernel at the other end. Run through
 * {@code build/link-bench}, which provides the private network namespace.
 */
package io.usertcp.link.bench;
