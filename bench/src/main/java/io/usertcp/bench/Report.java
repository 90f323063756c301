package io.usertcp.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the {@code RESULT}/{@code NA}/{@code META} lines that bench/run collected into tables of
 * medians with min–max and same-run ratios, prints them, and rewrites BENCHMARKS.md: the sections
 * this class generates are replaced, every other {@code ## } section of the file (the link
 * benchmark's, the JMH one, the profile) is kept as it is.
 *
 * <pre>Report RESULTS_FILE [--write BENCHMARKS.md]</pre>
 *
 * Line formats: {@code RESULT id=CELL run=N metric=value ...}; {@code NA id=CELL reason=text with
 * spaces}; {@code META key=text with spaces}.
 */
public final class Report {

    /** Headings of the sections generated here (all start with "## " and one of these). */
    static final List<String> OWNED = List.of("## How these were measured", "## 1. ", "## 2. ", "## 3. ", "## 4. ",
            "## 5. ", "## 6. ", "## 7. ");

    final Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>(); // id → metric → runs
    final Map<String, Map<String, String>> text = new LinkedHashMap<>();         // id → metric → last text value
    final Map<String, String> na = new LinkedHashMap<>();
    final Map<String, String> meta = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("--replace-section")) {
            // Report --replace-section FILE SECTION_FILE: replace (or append) that "## " section, keep the rest.
            Path file = Path.of(args[1]);
            String section = Files.readString(Path.of(args[2])).strip() + "\n";
            String old = Files.exists(file) ? Files.readString(file) : "# usertcp benchmarks\n";
            Files.writeString(file, replaceSection(old, section), StandardCharsets.UTF_8);
            return;
        }
        Report r = new Report();
        r.parse(Files.readAllLines(Path.of(args[0])));
        String body = r.render();
        System.out.println(body);
        if (args.length > 2 && args[1].equals("--write")) {
            Path file = Path.of(args[2]);
            String old = Files.exists(file) ? Files.readString(file) : "";
            Files.writeString(file, merge(old, body), StandardCharsets.UTF_8);
            System.out.println("wrote " + file);
        }
    }

    void parse(List<String> lines) {
        for (String line : lines) {
            line = line.strip();
            if (line.startsWith("RESULT ")) {
                Map<String, String> kv = keyValues(line.substring(7));
                String id = kv.remove("id");
                kv.remove("run");
                if (id == null) {
                    continue;
                }
                for (Map.Entry<String, String> e : kv.entrySet()) {
                    try {
                        values.computeIfAbsent(id, k -> new LinkedHashMap<>())
                                .computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(Double.parseDouble(e.getValue()));
                    } catch (NumberFormatException ex) {
                        text.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(e.getKey(), e.getValue());
                    }
                }
            } else if (line.startsWith("NA ")) {
                String rest = line.substring(3);
                int sp = rest.indexOf(" reason=");
                String id = (sp < 0 ? rest : rest.substring(0, sp)).replace("id=", "").strip();
                na.putIfAbsent(id, sp < 0 ? "not run" : rest.substring(sp + 8).strip());
            } else if (line.startsWith("NOTE ")) {
                notes.add(line.substring(5).strip());
            } else if (line.startsWith("META ")) {
                String rest = line.substring(5);
                int eq = rest.indexOf('=');
                if (eq > 0) {
                    meta.put(rest.substring(0, eq), rest.substring(eq + 1));
                }
            }
        }
    }

    static Map<String, String> keyValues(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String tok : s.trim().split("\\s+")) {
            int eq = tok.indexOf('=');
            if (eq > 0) {
                m.put(tok.substring(0, eq), tok.substring(eq + 1));
            }
        }
        return m;
    }

    /** Median of the runs, or NaN when the cell has no such metric. */
    double median(String id, String metric) {
        List<Double> v = runs(id, metric);
        if (v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    List<Double> runs(String id, String metric) {
        return values.getOrDefault(id, Map.of()).getOrDefault(metric, List.of());
    }

    /** "median [min–max]" (just the value for one run), or why it is missing. */
    String cell(String id, String metric, String fmt) {
        List<Double> v = runs(id, metric);
        if (v.isEmpty()) {
            String why = na.get(id);
            if (why == null) {
                // a family-level reason, e.g. "bulk.slirp4netns" for "bulk.slirp4netns.send.1500"
                for (Map.Entry<String, String> e : na.entrySet()) {
                    if (id.startsWith(e.getKey() + ".")) {
                        why = e.getValue();
                        break;
                    }
                }
            }
            String err = text.getOrDefault(id, Map.of()).get("first_error");
            return why != null ? "n/a (" + why + ")" : err != null ? "failed (" + err.replace('_', ' ') + ")" : "—";
        }
        double med = median(id, metric);
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(med);
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(med);
        String m = String.format(Locale.ROOT, fmt, med);
        if (v.size() == 1 || min == max) {
            return m;
        }
        return m + " [" + String.format(Locale.ROOT, fmt, min) + "–" + String.format(Locale.ROOT, fmt, max) + "]";
    }

    /** Ratio of medians a/b as "0.42×", or "—". */
    String ratio(String a, String b, String metric) {
        double x = median(a, metric), y = median(b, metric);
        if (Double.isNaN(x) || Double.isNaN(y) || y == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f×", x / y);
    }

    String render() {
        StringBuilder s = new StringBuilder();
        s.append("## How these were measured\n\n");
        s.append("Written by `").append(meta.getOrDefault("command", "bin/usertcp bench")).append("`. ");
        s.append("Every cell is the median of the runs made in this one invocation, with [min–max] when there were"
                + " several; every ratio divides two medians of this same invocation. Each run of a cell lasts `")
                .append(meta.getOrDefault("seconds", "?")).append("` s (after a warm-up run of the same kind that is not"
                + " counted). Each scenario runs in private network namespaces made for it (unshare; addresses in"
                + " 198.18.0.0/15 only) and removed afterwards. The usertcp endpoint is a Java program on the engine's own"
                + " API (`io.usertcp.stack.Stack` + `TcpSocket`, `bench/src/main/java/io/usertcp/bench/UserNet.java`);"
                + " the kernel endpoint is the same Java program on plain JDK sockets (`KernelNet`), so kernel↔kernel"
                + " rows differ from usertcp rows only in the stack. iperf3 rows are the C reference.\n\n");
        for (String k : List.of("machine", "jdk", "kernel", "kernel-cc", "date", "runs", "load", "notes")) {
            if (meta.containsKey(k)) {
                s.append("- ").append(k).append(": ").append(meta.get(k)).append('\n');
            }
        }
        s.append('\n');

        // 1. bulk
        s.append("## 1. Bulk throughput, one stream (Gbit/s)\n\n");
        s.append("*sends*: the first-named endpoint sends and the other receives; *receives*: the reverse. Payload bytes"
                + " counted by the receiving application. usertcp rows: usertcp ↔ a kernel endpoint over a TUN device (kernel"
                + " side 198.18.0.1, usertcp 198.18.0.2); plain rows without TUN offload, *offload* rows with IFF_VNET_HDR"
                + " checksum and TCP segmentation offload (64 KiB super-segments both ways). Ratios: usertcp / kernel↔kernel veth (Java) at the same MTU.\n\n");
        s.append("| path | MTU | sends | receives | ratio sends | ratio receives |\n|---|---:|---:|---:|---:|---:|\n");
        for (String mtu : List.of("1500", "65000")) {
            bulkRow(s, "usertcp ↔ kernel over TUN", "usertcp-tun", mtu, true);
            bulkRow(s, "usertcp ↔ kernel over TUN, offload (TSO, checksum)", "usertcp-tun-offload", mtu, true);
            bulkRow(s, "kernel ↔ kernel over veth (Java)", "kernel-veth", mtu, false);
            bulkRow(s, "kernel ↔ kernel over veth (iperf3)", "iperf3-veth", mtu, false);
            bulkRow(s, "namespace → host through slirp4netns (iperf3)", "slirp4netns", mtu, false);
            bulkRow(s, "namespace → host through pasta/passt (iperf3)", "pasta", mtu, false);
            bulkRow(s, "raw TUN, one JVM thread (write / read)", "link", mtu, false);
        }
        s.append('\n');
        s.append("slirp4netns and pasta cap the MTU at 65520; their \"65000\" rows use 65000. The raw TUN row is"
                + " LinkBenchmark (UDP packets of MTU bytes, whole IP packets counted): the ceiling of one thread's TUN"
                + " I/O.\n\n");

        // 2. latency
        s.append("## 2. Latency: 1-byte ping-pong (µs)\n\n");
        s.append("| path | round trips | p50 | p99 | p99.9 | CPU µs per round trip (client process) |\n|---|---:|---:|---:|---:|---:|\n");
        rrRow(s, "usertcp client ↔ kernel echo over TUN", "rr.usertcp-tun");
        rrRow(s, "kernel ↔ kernel over veth", "rr.kernel-veth");
        s.append('\n').append("p50 ratio usertcp / kernel: ").append(ratio("rr.usertcp-tun", "rr.kernel-veth", "p50_us"))
                .append("; p99 ratio: ").append(ratio("rr.usertcp-tun", "rr.kernel-veth", "p99_us")).append("\n\n");

        // 3. connection rate
        s.append("## 3. Connection rate (connect, 1-byte request, 1-byte answer, server closes; one client thread)\n\n");
        s.append("| path | connections/s | ratio to kernel↔kernel |\n|---|---:|---:|\n");
        for (String[] r : new String[][] {{"usertcp client → kernel server over TUN", "crr.usertcp-client"},
                {"kernel client → usertcp server over TUN", "crr.usertcp-server"},
                {"kernel ↔ kernel over veth", "crr.kernel-veth"}}) {
            s.append("| ").append(r[0]).append(" | ").append(cell(r[1], "conn_per_s", "%,.0f")).append(" | ")
                    .append(r[1].equals("crr.kernel-veth") ? "1.00×" : ratio(r[1], "crr.kernel-veth", "conn_per_s"))
                    .append(" |\n");
        }
        s.append('\n');

        // 4. scale
        s.append("## 4. Scale: idle established connections\n\n");
        s.append("Client side measured. *heap/conn*: Java heap growth after GC divided by connections (for JDK sockets"
                + " this is only the Java objects; the kernel's memory is the *slab/conn* column, machine-wide /proc/meminfo"
                + " Slab growth, noisy). *after close*: heap growth left 1 s after closing them all (usertcp keeps"
                + " TIME-WAIT entries; *table* is usertcp's connection count then).\n\n");
        s.append("| stack | connections | establish s | conn/s | heap/conn B | slab/conn B | after close MiB | table after close |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String n : List.of("10000", "100000")) {
            for (String[] r : new String[][] {{"usertcp → kernel over TUN", "scale.usertcp." + n},
                    {"kernel ↔ kernel over veth", "scale.kernel." + n}}) {
                if (!values.containsKey(r[1]) && !na.containsKey(r[1]) && !na.containsKey("scale") && !text.containsKey(r[1])) {
                    continue;
                }
                if (!values.containsKey(r[1]) && isNa(r[1])) {
                    s.append("| ").append(r[0]).append(" | ").append(cell(r[1], "connections", "%.0f"))
                            .append(" | — | — | — | — | — | — |\n");
                    continue;
                }
                s.append("| ").append(r[0]).append(" | ").append(cell(r[1], "connections", "%,.0f")).append(" / ").append(n)
                        .append(" | ").append(cell(r[1], "establish_s", "%.2f"))
                        .append(" | ").append(cell(r[1], "conn_per_s", "%,.0f"))
                        .append(" | ").append(cell(r[1], "heap_per_conn_bytes", "%,.0f"))
                        .append(" | ").append(cell(r[1], "slab_per_conn_bytes", "%,.0f"))
                        .append(" | ").append(cell(r[1], "heap_after_close_mib", "%.1f"))
                        .append(" | ").append(runs(r[1], "usertcp_table_after_close").isEmpty() ? "—"
                                : cell(r[1], "usertcp_table_after_close", "%,.0f"))
                        .append(" |\n");
            }
        }
        s.append('\n');

        // 5. in-JVM
        s.append("## 5. In-JVM: usertcp loopback vs JDK sockets on the kernel loopback\n\n");
        s.append("Client and server in one JVM on 127.0.0.1.\n\n");
        s.append("| stack | bulk Gbit/s | ping-pong p50 µs | p99 µs | p99.9 µs |\n|---|---:|---:|---:|---:|\n");
        for (String[] r : new String[][] {{"usertcp loopback", "usertcp"}, {"JDK sockets, kernel loopback", "jdk"}}) {
            s.append("| ").append(r[0]).append(" | ").append(cell("jvm.bulk." + r[1], "gbps", "%.2f"))
                    .append(" | ").append(cell("jvm.rr." + r[1], "p50_us", "%.1f"))
                    .append(" | ").append(cell("jvm.rr." + r[1], "p99_us", "%.1f"))
                    .append(" | ").append(cell("jvm.rr." + r[1], "p999_us", "%.1f")).append(" |\n");
        }
        s.append("\nbulk ratio usertcp / JDK: ").append(ratio("jvm.bulk.usertcp", "jvm.bulk.jdk", "gbps"))
                .append("; p50 ratio: ").append(ratio("jvm.rr.usertcp", "jvm.rr.jdk", "p50_us")).append("\n\n");

        // 6. impairment
        s.append("## 6. Under impairment, through the impairing relay (Gbit/s → Mbit/s)\n\n");
        s.append("io.usertcp.link.relay.ImpairingRelay applies the loss to each direction and half the RTT as delay to"
                + " each direction (seeded). kernel↔kernel: two kernels in two namespaces, the relay between their TUNs."
                + " usertcp↔kernel: the relay between a TUN (kernel side) and an in-memory link to the usertcp stack in"
                + " the same process. Bulk one stream, Mbit/s.\n\n");
        s.append("| path setting | usertcp sends | kernel→kernel | ratio | usertcp receives | kernel→kernel | ratio |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (String[] st : new String[][] {{"1% loss, 20 ms RTT", "l1-r20"}, {"0.1% loss, 100 ms RTT", "l01-r100"}}) {
            String u = "impair." + st[1] + ".usertcp.", k = "impair." + st[1] + ".kernel.";
            s.append("| ").append(st[0]).append(" | ").append(cellScaled(u + "send", "gbps", 1000))
                    .append(" | ").append(cellScaled(k + "send", "gbps", 1000))
                    .append(" | ").append(ratio(u + "send", k + "send", "gbps"))
                    .append(" | ").append(cellScaled(u + "recv", "gbps", 1000))
                    .append(" | ").append(cellScaled(k + "recv", "gbps", 1000))
                    .append(" | ").append(ratio(u + "recv", k + "recv", "gbps")).append(" |\n");
        }
        s.append('\n');

        // 7. CPU
        s.append("## 7. CPU cost: CPU seconds (user+sys of the whole process) per GiB moved\n\n");
        s.append("From the bulk runs of section 1, the measuring endpoint's process (the usertcp process; for kernel↔kernel"
                + " the Java process in the same role). Kernel work done in softirq context may be charged to either"
                + " side.\n\n");
        s.append("| MTU | usertcp sending | kernel sending | ratio | usertcp receiving | kernel receiving | ratio |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String mtu : List.of("1500", "65000")) {
            String u = "bulk.usertcp-tun.", k = "bulk.kernel-veth.";
            s.append("| ").append(mtu)
                    .append(" | ").append(cell(u + "send." + mtu, "cpu_s_per_gib", "%.2f"))
                    .append(" | ").append(cell(k + "send." + mtu, "cpu_s_per_gib", "%.2f"))
                    .append(" | ").append(ratio(u + "send." + mtu, k + "send." + mtu, "cpu_s_per_gib"))
                    .append(" | ").append(cell(u + "recv." + mtu, "cpu_s_per_gib", "%.2f"))
                    .append(" | ").append(cell(k + "recv." + mtu, "cpu_s_per_gib", "%.2f"))
                    .append(" | ").append(ratio(u + "recv." + mtu, k + "recv." + mtu, "cpu_s_per_gib")).append(" |\n");
        }
        s.append('\n');
        s.append("CPU used by that process during the transfer, in cores (1.00 = one CPU busy the whole time):\n\n");
        s.append("| MTU | usertcp sending | kernel sending | usertcp receiving | kernel receiving |\n|---:|---:|---:|---:|---:|\n");
        for (String mtu : List.of("1500", "65000")) {
            String u = "bulk.usertcp-tun.", k = "bulk.kernel-veth.";
            s.append("| ").append(mtu)
                    .append(" | ").append(cell(u + "send." + mtu, "cpu_util", "%.2f"))
                    .append(" | ").append(cell(k + "send." + mtu, "cpu_util", "%.2f"))
                    .append(" | ").append(cell(u + "recv." + mtu, "cpu_util", "%.2f"))
                    .append(" | ").append(cell(k + "recv." + mtu, "cpu_util", "%.2f")).append(" |\n");
        }
        s.append('\n');
        if (!notes.isEmpty()) {
            s.append("Notes on this run:\n\n");
            for (String n : notes) {
                s.append("- ").append(n).append('\n');
            }
            s.append('\n');
        }
        if (!na.isEmpty()) {
            s.append("Not available in this run:\n\n");
            for (Map.Entry<String, String> e : na.entrySet()) {
                s.append("- `").append(e.getKey()).append("`: ").append(e.getValue()).append('\n');
            }
            s.append('\n');
        }
        return s.toString();
    }

    private void bulkRow(StringBuilder s, String label, String path, String mtu, boolean ratios) {
        String send = "bulk." + path + ".send." + mtu, recv = "bulk." + path + ".recv." + mtu;
        if (!values.containsKey(send) && !values.containsKey(recv) && !isNa(send) && !isNa(recv)
                && !text.containsKey(send) && !text.containsKey(recv)) {
            return;
        }
        s.append("| ").append(label).append(" | ").append(mtu).append(" | ").append(cell(send, "gbps", "%.2f"))
                .append(" | ").append(cell(recv, "gbps", "%.2f")).append(" | ");
        if (ratios) {
            s.append(ratio(send, "bulk.kernel-veth.send." + mtu, "gbps")).append(" | ")
                    .append(ratio(recv, "bulk.kernel-veth.recv." + mtu, "gbps"));
        } else {
            s.append(ratio(send, "bulk.kernel-veth.send." + mtu, "gbps")).append(" | ")
                    .append(ratio(recv, "bulk.kernel-veth.recv." + mtu, "gbps"));
        }
        s.append(" |\n");
    }

    private boolean isNa(String id) {
        if (na.containsKey(id)) {
            return true;
        }
        for (String k : na.keySet()) {
            if (id.startsWith(k + ".")) {
                return true;
            }
        }
        return false;
    }

    private void rrRow(StringBuilder s, String label, String id) {
        s.append("| ").append(label).append(" | ").append(cell(id, "round_trips", "%,.0f"))
                .append(" | ").append(cell(id, "p50_us", "%.1f")).append(" | ").append(cell(id, "p99_us", "%.1f"))
                .append(" | ").append(cell(id, "p999_us", "%.1f")).append(" | ").append(cell(id, "cpu_us_per_rt", "%.1f"))
                .append(" |\n");
    }

    private String cellScaled(String id, String metric, double factor) {
        List<Double> v = runs(id, metric);
        if (v.isEmpty()) {
            return cell(id, metric, "%.1f");
        }
        List<Double> scaled = new ArrayList<>();
        for (double d : v) {
            scaled.add(d * factor);
        }
        Report tmp = new Report();
        tmp.values.put(id, Map.of(metric, scaled));
        return tmp.cell(id, metric, "%.1f");
    }

    /**
     * The new file: a title line, the generated sections, then every section of the old file that
     * is not generated here (kept verbatim, in its order).
     */
    static String merge(String old, String generated) {
        StringBuilder out = new StringBuilder("# usertcp benchmarks\n\n");
        out.append(generated.strip()).append("\n\n");
        for (String section : sections(old)) {
            boolean owned = false;
            for (String h : OWNED) {
                if (section.startsWith(h)) {
                    owned = true;
                    break;
                }
            }
            if (!owned) {
                out.append(section.strip()).append("\n\n");
            }
        }
        return out.toString().strip() + "\n";
    }

    /** Replaces the section whose heading line equals the first line of {@code section}, or appends it. */
    static String replaceSection(String text, String section) {
        String heading = section.substring(0, section.indexOf('\n'));
        StringBuilder out = new StringBuilder();
        int first = text.startsWith("## ") ? 0 : text.indexOf("\n## ");
        out.append(first < 0 ? text.strip() + "\n\n" : text.substring(0, first == 0 ? 0 : first + 1));
        boolean done = false;
        for (String s : sections(text)) {
            if (s.startsWith(heading + "\n")) {
                out.append(section.strip()).append("\n\n");
                done = true;
            } else {
                out.append(s.strip()).append("\n\n");
            }
        }
        if (!done) {
            out.append(section.strip()).append("\n\n");
        }
        return out.toString().strip() + "\n";
    }

    /** The "## " sections of a Markdown text (each from its heading to the next). */
    static List<String> sections(String text) {
        List<String> list = new ArrayList<>();
        int i = text.startsWith("## ") ? 0 : text.indexOf("\n## ");
        if (i < 0) {
            return list;
        }
        if (i > 0 || !text.startsWith("## ")) {
            i++;
        }
        while (i >= 0 && i < text.length()) {
            int next = text.indexOf("\n## ", i + 3);
            list.add(next < 0 ? text.substring(i) : text.substring(i, next + 1));
            i = next < 0 ? -1 : next + 1;
        }
        return list;
    }
}
