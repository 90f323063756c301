package io.usertcp.compat.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * THE table of allowed differences between a provider and jdk: one place, each with its reason.
 * {@link Parity} and {@link Outcome#expect} consult it; nothing else may excuse a difference.
 * The summary lists every entry that was used, and every entry that was never needed (stale).
 *
 * <p>Key: case id ({@code Class.method}) + provider name + recorded key ({@code *} = every key of
 * the case).
 */
public final class AllowedDifferences {

    /** One allowed difference. */
    public record Entry(String caseId, String provider, String key, String reason) {}

    /** One use of an entry during the run. */
    public record Use(String caseId, String provider, String key, String jdk, String got, String reason) {}

    private static final String LINUX_ONLY_OPTIONS = "usertcp reports only the options it implements"
            + " (JDK-CONTRACT §1.5): SO_INCOMING_NAPI_ID (a kernel NIC queue id), SO_REUSEPORT (kernel"
            + " load-balancing of listeners) and TCP_QUICKACK (a Linux delayed-ACK switch) have no"
            + " counterpart in usertcp; and it adds its own TCP_CONGESTION (io.usertcp.net.UserTcpOptions,"
            + " the congestion control algorithm as Linux's TCP_CONGESTION, which the JDK does not expose)";

    private static final List<Entry> TABLE = List.of(
            new Entry("OptionsTest.supportedOptionsSocket", "usertcp-loopback", "names", LINUX_ONLY_OPTIONS),
            new Entry("OptionsTest.supportedOptionsServerSocket", "usertcp-loopback", "names", LINUX_ONLY_OPTIONS));

    private static final List<Use> USED = new CopyOnWriteArrayList<>();
    private static final Set<Entry> HIT = ConcurrentHashMap.newKeySet();

    private AllowedDifferences() {}

    public static List<Entry> table() { return TABLE; }

    static Optional<String> reason(String caseId, String provider, String key) {
        for (Entry e : TABLE) {
            if (e.caseId.equals(caseId) && e.provider.equals(provider)
                    && (e.key.equals("*") || e.key.equals(key))) {
                HIT.add(e);
                return Optional.of(e.reason);
            }
        }
        return Optional.empty();
    }

    static void used(String caseId, String provider, String key, String jdk, String got, String reason) {
        USED.add(new Use(caseId, provider, key, jdk, got, reason));
    }

    /** Every difference accepted during this run. */
    public static List<Use> uses() { return new ArrayList<>(USED); }

    /** Entries never consulted in this run (their case did not run, or ran without differing). */
    public static List<Entry> unused() {
        List<Entry> out = new ArrayList<>();
        Map<Entry, Boolean> hit = new ConcurrentHashMap<>();
        HIT.forEach(e -> hit.put(e, true));
        for (Entry e : TABLE) {
            if (!hit.containsKey(e)) {
                out.add(e);
            }
        }
        return out;
    }
}
