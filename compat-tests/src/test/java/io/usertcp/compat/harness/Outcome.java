package io.usertcp.compat.harness;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.opentest4j.AssertionFailedError;

/** What one provider observed in one case, plus hard expectations checked against it. */
public final class Outcome {
    final String caseId;
    final String provider;
    final Map<String, String> values;
    final Map<String, String> notes;
    final Throwable scenarioFailure;

    Outcome(String caseId, String provider, Recorder r, Throwable scenarioFailure) {
        this.caseId = caseId;
        this.provider = provider;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(r.values));
        this.notes = Collections.unmodifiableMap(new LinkedHashMap<>(r.notes));
        this.scenarioFailure = scenarioFailure;
    }

    public String caseId() { return caseId; }

    public String provider() { return provider; }

    public Map<String, String> values() { return values; }

    /** The recorded value, or null when the key was not recorded. */
    public String get(String key) { return values.get(key); }

    /**
     * Asserts that {@code key} was recorded as {@code expected} (compared as strings). On a provider
     * other than jdk, a difference listed in {@link AllowedDifferences} for this case and key is
     * accepted (and reported in the summary) instead.
     */
    public Outcome expect(String key, Object expected) {
        String want = String.valueOf(expected);
        String got = values.get(key);
        if (want.equals(got)) {
            return this;
        }
        Optional<String> reason = AllowedDifferences.reason(caseId, provider, key);
        if (reason.isPresent()) {
            AllowedDifferences.used(caseId, provider, key, want, got, reason.get());
            return this;
        }
        throw new AssertionFailedError("[" + caseId + " on " + provider + "] " + key + ": expected <"
                + want + "> but was <" + got + ">\n" + render(), want, got);
    }

    /** Like {@link #expect} with a regular expression that must match the whole value. */
    public Outcome expectMatches(String key, String regex) {
        String got = values.get(key);
        if (got != null && Pattern.compile(regex, Pattern.DOTALL).matcher(got).matches()) {
            return this;
        }
        Optional<String> reason = AllowedDifferences.reason(caseId, provider, key);
        if (reason.isPresent()) {
            AllowedDifferences.used(caseId, provider, key, "~" + regex, got, reason.get());
            return this;
        }
        throw new AssertionFailedError("[" + caseId + " on " + provider + "] " + key + ": expected to match <"
                + regex + "> but was <" + got + ">\n" + render());
    }

    /** A readable multi-line dump of the values and notes. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("  outcome of ").append(caseId).append(" on ").append(provider).append(":\n");
        values.forEach((k, v) -> sb.append("    ").append(k).append(" = ").append(v).append('\n'));
        notes.forEach((k, v) -> sb.append("    (").append(k).append(" = ").append(v).append(")\n"));
        if (scenarioFailure != null) {
            sb.append("    scenario threw ").append(Recorder.describe(scenarioFailure)).append('\n');
        }
        return sb.toString();
    }

    @Override public String toString() { return render(); }
}
