package io.usertcp.compat.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints the compat summary at the end of the run (cases per provider, passed, failed, skipped with
 * reasons, allowed differences used) and writes it to {@code target/compat-summary.md} (or the file
 * named by the system property {@code compat.summary.file}). Registered through
 * META-INF/services/org.junit.platform.launcher.TestExecutionListener.
 */
public final class CompatSummaryListener implements TestExecutionListener {

    /** Counts of one provider (or of "other" for tests that are not parity tests). */
    private static final class Row {
        final Set<String> cases = new TreeSet<>();
        int invocations, passed, failed, skipped;
        final Map<String, Integer> skipReasons = new TreeMap<>();
        final Set<String> failedCases = new TreeSet<>();
    }

    private final Map<String, Row> rows = new ConcurrentHashMap<>();
    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            Row r = row(id);
            synchronized (r) {
                r.cases.add(caseId(id));
                r.invocations++;
                r.skipped++;
                r.skipReasons.merge(reason, 1, Integer::sum);
            }
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
            return;
        }
        Row r = row(id);
        synchronized (r) {
            r.cases.add(caseId(id));
            r.invocations++;
            switch (result.getStatus()) {
                case SUCCESSFUL -> r.passed++;
                case ABORTED -> {
                    r.skipped++;
                    String why = result.getThrowable().map(Throwable::getMessage).orElse("aborted");
                    if (why != null && why.startsWith("KNOWN USERTCP BUG")) {
                        why = caseId(id) + ": " + why.lines().findFirst().orElse(why);
                    }
                    r.skipReasons.merge(String.valueOf(why), 1, Integer::sum);
                }
                case FAILED -> {
                    r.failed++;
                    r.failedCases.add(caseId(id));
                }
            }
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (rows.isEmpty()) {
            return;
        }
        String md = render();
        System.out.println(md);
        Path out = Path.of(System.getProperty("compat.summary.file", "target/compat-summary.md"));
        try {
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, md, StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("compat summary: cannot write " + out + ": " + e);
        }
    }

    private Row row(TestIdentifier id) {
        return rows.computeIfAbsent(providerOf(id), k -> new Row());
    }

    /** The provider of a @ProviderTest invocation (its display name), else the kind of test. */
    private String providerOf(TestIdentifier id) {
        String dn = id.getDisplayName();
        for (Providers.Entry e : Providers.list()) {
            if (e.name().equals(dn)) {
                return dn;
            }
        }
        Optional<TestSource> src = id.getSource();
        if (src.isPresent() && src.get() instanceof MethodSource m) {
            if (m.getClassName().startsWith("io.usertcp.compat.tun.")) {
                return "real clients over TUN (usertcp ↔ kernel)";
            }
            if (m.getClassName().startsWith("io.usertcp.compat.harness.")) {
                return "harness self-test";
            }
        }
        return "other";
    }

    private String caseId(TestIdentifier id) {
        Optional<TestSource> src = id.getSource();
        if (src.isPresent() && src.get() instanceof MethodSource m) {
            String cls = m.getClassName();
            return cls.substring(cls.lastIndexOf('.') + 1) + "." + m.getMethodName();
        }
        return plan != null ? plan.getParent(id).map(TestIdentifier::getDisplayName).orElse(id.getDisplayName())
                : id.getDisplayName();
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# usertcp compat summary\n\n");
        sb.append("JDK ").append(Runtime.version()).append("\n\n");
        sb.append("| provider | cases | invocations | passed | failed | skipped |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        Map<String, Row> sorted = new TreeMap<>(rows);
        sorted.forEach((name, r) -> sb.append("| ").append(name).append(" | ").append(r.cases.size())
                .append(" | ").append(r.invocations).append(" | ").append(r.passed).append(" | ")
                .append(r.failed).append(" | ").append(r.skipped).append(" |\n"));
        sb.append("\n## Providers\n\n");
        for (Providers.Entry e : Providers.list()) {
            sb.append("- `").append(e.name()).append("`: ")
                    .append(e.disabledReason() == null ? "enabled" : "DISABLED — " + e.disabledReason())
                    .append('\n');
        }
        sb.append("\n## Allowed differences used in this run\n\n");
        var uses = AllowedDifferences.uses();
        if (uses.isEmpty()) {
            sb.append("none\n");
        } else {
            sb.append("| case | provider | key | jdk | got | reason |\n|---|---|---|---|---|---|\n");
            Set<String> seen = new TreeSet<>();
            for (var u : uses) {
                String line = "| " + u.caseId() + " | " + u.provider() + " | " + u.key() + " | " + cell(u.jdk())
                        + " | " + cell(u.got()) + " | " + cell(u.reason()) + " |\n";
                if (seen.add(line)) {
                    sb.append(line);
                }
            }
        }
        var unused = AllowedDifferences.unused();
        if (!unused.isEmpty()) {
            sb.append("\nTable entries not needed in this run (their case was skipped or agreed):\n");
            unused.forEach(e -> sb.append("- ").append(e.caseId()).append(" / ").append(e.provider())
                    .append(" / ").append(e.key()).append('\n'));
        }
        sb.append("\n## Known usertcp bugs (KnownBugs)\n\n");
        if (KnownBugs.table().isEmpty()) {
            sb.append("none listed\n");
        }
        var fixed = KnownBugs.noLongerReproduced();
        var open = KnownBugs.reproduced();
        for (KnownBugs.Bug b : KnownBugs.table()) {
            String status = open.contains(b) ? "REPRODUCED"
                    : fixed.contains(b) ? "did not reproduce in this run (delete the entry once fixed)" : "not run";
            sb.append("- ").append(b.caseId()).append(" / ").append(b.provider()).append(": ").append(status)
                    .append(" — ").append(b.description()).append('\n');
        }
        sorted.forEach((name, r) -> {
            if (!r.skipReasons.isEmpty() || !r.failedCases.isEmpty()) {
                sb.append("\n## ").append(name).append('\n');
                r.skipReasons.forEach((why, n) -> sb.append("- skipped ×").append(n).append(": ").append(why)
                        .append('\n'));
                r.failedCases.forEach(c -> sb.append("- FAILED: ").append(c).append('\n'));
            }
        });
        return sb.toString();
    }

    private static String cell(String s) {
        return s == null ? "(absent)" : s.replace("|", "\\|").replace("\n", " ");
    }
}
