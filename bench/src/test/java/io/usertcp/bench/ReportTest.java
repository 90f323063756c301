package io.usertcp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void medianWithMinMaxAndRatioOfMedians() {
        Report r = new Report();
        r.parse(List.of(
                "RESULT id=bulk.usertcp-tun.send.1500 run=1 gbps=1.0 bytes=10",
                "RESULT id=bulk.usertcp-tun.send.1500 run=2 gbps=3.0 bytes=10",
                "RESULT id=bulk.usertcp-tun.send.1500 run=3 gbps=2.0 bytes=10",
                "RESULT id=bulk.kernel-veth.send.1500 run=1 gbps=4.0",
                "RESULT id=bulk.kernel-veth.send.1500 run=2 gbps=5.0"));
        assertEquals(2.0, r.median("bulk.usertcp-tun.send.1500", "gbps"));
        assertEquals(4.5, r.median("bulk.kernel-veth.send.1500", "gbps"));
        assertEquals("2.00 [1.00–3.00]", r.cell("bulk.usertcp-tun.send.1500", "gbps", "%.2f"));
        assertEquals("0.44×", r.ratio("bulk.usertcp-tun.send.1500", "bulk.kernel-veth.send.1500", "gbps"));
        assertTrue(r.render().contains("| usertcp ↔ kernel over TUN | 1500 | 2.00 [1.00–3.00] |"));
    }

    @Test
    void missingCellsSayWhy() {
        Report r = new Report();
        r.parse(List.of(
                "NA id=bulk.pasta reason=pasta (Debian package passt) not installed",
                "RESULT id=crr.usertcp-client run=0 first_error=java.net.ConnectException:_refused"));
        assertEquals("n/a (pasta (Debian package passt) not installed)", r.cell("bulk.pasta.send.1500", "gbps", "%.2f"));
        assertEquals("failed (java.net.ConnectException: refused)", r.cell("crr.usertcp-client", "conn_per_s", "%.0f"));
        assertEquals("—", r.cell("rr.kernel-veth", "p50_us", "%.1f"));
        assertEquals("—", r.ratio("crr.usertcp-client", "crr.kernel-veth", "conn_per_s"));
    }

    @Test
    void mergeReplacesGeneratedSectionsAndKeepsTheOthers() {
        String old = "# usertcp benchmarks\n\n## 1. Bulk throughput\n\nold table\n\n## Link benchmark\n\nlink table\n\n"
                + "## Micro-benchmarks (JMH)\n\njmh table\n";
        String merged = Report.merge(old, "## How these were measured\n\nnew\n\n## 1. Bulk throughput\n\nnew table\n");
        assertTrue(merged.startsWith("# usertcp benchmarks\n\n## How these were measured\n\nnew\n"));
        assertTrue(merged.contains("new table"));
        assertFalse(merged.contains("old table"));
        assertTrue(merged.contains("## Link benchmark\n\nlink table\n"));
        assertTrue(merged.contains("## Micro-benchmarks (JMH)\n\njmh table\n"));
        assertEquals(merged, Report.merge(merged, "## How these were measured\n\nnew\n\n## 1. Bulk throughput\n\nnew table\n"));
    }

    @Test
    void replaceSectionSwapsOnlyThatSection() {
        String text = "# usertcp benchmarks\n\n## 1. Bulk\n\nbulk\n\n## 8. Micro-benchmarks (JMH)\n\nold\n\n## Link benchmark\n\nlink\n";
        String out = Report.replaceSection(text, "## 8. Micro-benchmarks (JMH)\n\nnew\n");
        assertEquals("# usertcp benchmarks\n\n## 1. Bulk\n\nbulk\n\n## 8. Micro-benchmarks (JMH)\n\nnew\n\n## Link benchmark\n\nlink\n", out);
        String appended = Report.replaceSection("# usertcp benchmarks\n", "## 8. Micro-benchmarks (JMH)\n\nx\n");
        assertEquals("# usertcp benchmarks\n\n## 8. Micro-benchmarks (JMH)\n\nx\n", appended);
    }
}
