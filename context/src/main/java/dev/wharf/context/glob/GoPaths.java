package dev.wharf.context.glob;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code path/filepath} string functions for Unix ({@code Clean}, {@code Dir}), {@code strings.Split} and
 * {@code strings.TrimSpace}, whose exact results BuildKit's path and pattern handling depends on. Stateless.
 */
public final class GoPaths {

    private GoPaths() {
    }

    /** Go's {@code filepath.Clean}: lexical shortest form, "." for empty, no trailing slash except "/". */
    public static String clean(String path) {
        // Most paths are clean already (a COPY cleans every source and destination path of every file): one scan
        // instead of a list of parts and a join per path.
        return isClean(path) ? path : cleanParts(path);
    }

    /**
     * Whether {@code path} is its own {@link #clean}, and its own lexical normal form by any other rule (Java's
     * {@code Path.normalize} too): not empty, no trailing slash (except "/" itself), no empty, "." or ".." part.
     * Some clean paths (".", "../a") answer false; {@link #clean} returns them unchanged all the same.
     */
    public static boolean isClean(String path) {
        int n = path.length();
        if (n == 0) {
            return false;
        }
        if (path.charAt(n - 1) == '/') {
            return n == 1;
        }
        int start = path.charAt(0) == '/' ? 1 : 0;
        for (int i = start; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                int len = i - start;
                if (len == 0 || path.charAt(start) == '.' && (len == 1 || len == 2 && path.charAt(start + 1) == '.')) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    /** {@link #clean} part by part. */
    static String cleanParts(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.charAt(0) == '/';
        List<String> out = new ArrayList<>();
        int n = path.length();
        int i = 0;
        while (i < n) {
            int j = path.indexOf('/', i);
            if (j < 0) {
                j = n;
            }
            String part = path.substring(i, j);
            i = j + 1;
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                } else if (!rooted) {
                    out.add(part);
                }
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** Go's {@code filepath.Dir}: everything before the last separator, cleaned. */
    public static String dir(String path) {
        int last = path.lastIndexOf('/');
        return clean(path.substring(0, last + 1));
    }

    /** Go's {@code filepath.Base}. */
    public static String base(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        String p = path;
        while (p.length() > 0 && p.charAt(p.length() - 1) == '/') {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return "/";
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** Go's {@code strings.Split(s, sep)} for a one-character separator: keeps empty fields, also trailing ones. */
    public static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            int j = s.indexOf(sep, i);
            if (j < 0) {
                out.add(s.substring(i));
                return out;
            }
            out.add(s.substring(i, j));
            i = j + 1;
        }
    }

    /** Go's {@code strings.TrimSpace}: trims Unicode White_Space (which differs from Java's strip()). */
    public static String trimSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isGoSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isGoSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** Go's {@code unicode.IsSpace}. */
    public static boolean isGoSpace(int c) {
        switch (c) {
            case '\t': case '\n': case 0x0B: case '\f': case '\r': case ' ': case 0x85: case 0xA0:
            case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
                return true;
            default:
                return c >= 0x2000 && c <= 0x200A;
        }
    }
}
