package dev.wharf.maven;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.Log;

/** A Maven {@link Log} that records {@code LEVEL text} lines; debug is enabled or not as constructed. */
final class RecordingLog implements Log {
    final List<String> lines = new ArrayList<>();
    private final boolean debug;

    RecordingLog(boolean debug) {
        this.debug = debug;
    }

    private void add(String level, CharSequence text) {
        lines.add(level + " " + text);
    }

    @Override public boolean isDebugEnabled() { return debug; }
    @Override public void debug(CharSequence c) { add("DEBUG", c); }
    @Override public void debug(CharSequence c, Throwable t) { add("DEBUG", c); }
    @Override public void debug(Throwable t) { add("DEBUG", t.toString()); }
    @Override public boolean isInfoEnabled() { return true; }
    @Override public void info(CharSequence c) { add("INFO", c); }
    @Override public void info(CharSequence c, Throwable t) { add("INFO", c); }
    @Override public void info(Throwable t) { add("INFO", t.toString()); }
    @Override public boolean isWarnEnabled() { return true; }
    @Override public void warn(CharSequence c) { add("WARN", c); }
    @Override public void warn(CharSequence c, Throwable t) { add("WARN", c); }
    @Override public void warn(Throwable t) { add("WARN", t.toString()); }
    @Override public boolean isErrorEnabled() { return true; }
    @Override public void error(CharSequence c) { add("ERROR", c); }
    @Override public void error(CharSequence c, Throwable t) { add("ERROR", c); }
    @Override public void error(Throwable t) { add("ERROR", t.toString()); }
}
