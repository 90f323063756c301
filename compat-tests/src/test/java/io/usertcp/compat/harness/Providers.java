package io.usertcp.compat.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * THE list of providers the parity suite runs against, in order (jdk first: it is the reference).
 * A provider that cannot run here is listed with the reason; its invocations are reported as
 * skipped with that reason, never dropped silently.
 */
public final class Providers {

    /** One row of the list: a provider, or the reason it is disabled. */
    public record Entry(String name, Supplier<SocketProvider> factory, String disabledReason) {}

    private static final JdkProvider JDK = new JdkProvider();

    private static final List<Entry> LIST = List.of(
            new Entry(JdkProvider.NAME, () -> JDK, null),
            new Entry(UserTcpLoopbackProvider.NAME, UserTcpLoopbackProvider::new, null));

    private Providers() {}

    public static JdkProvider jdk() { return JDK; }

    public static List<Entry> list() { return LIST; }

    /** The @MethodSource of every parity test: each provider, disabled ones as placeholders. */
    public static Stream<SocketProvider> all() {
        List<SocketProvider> out = new ArrayList<>();
        for (Entry e : LIST) {
            out.add(e.disabledReason == null ? e.factory.get() : new DisabledProvider(e.name, e.disabledReason));
        }
        return out.stream();
    }
}
