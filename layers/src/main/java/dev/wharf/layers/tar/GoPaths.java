package dev.wharf.layers.tar;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code path.Join} and {@code path.Clean}, which name a PAX header after its entry: {@code ./a/b} gives
 * {@code PaxHeaders.0/b} under {@code a}, not under {@code ./a}. Stateless.
 */
final class GoPaths {
    private GoPaths() {
    }

    /** The non-empty elements joined by slashes and cleaned; empty when all are empty. */
    static String join(String... elements) {
        StringBuilder b = new StringBuilder();
        for (String e : elements) {
            if (e.isEmpty()) {
                continue;
            }
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(e);
        }
        return b.length() == 0 ? "" : clean(b.toString());
    }

    /**
     * The shortest equivalent path: repeated slashes, {@code .} elements and {@code ..} after an element dropped,
     * {@code ..} at the root dropped, no trailing slash but the root's; {@code .} for an empty result.
     */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        List<String> parts = new ArrayList<>();
        int leadingUps = 0;
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                } else if (!rooted) {
                    leadingUps++;
                }
                continue;
            }
            parts.add(p);
        }
        List<String> all = new ArrayList<>();
        for (int i = 0; i < leadingUps; i++) {
            all.add("..");
        }
        all.addAll(parts);
        String joined = String.join("/", all);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }
}
