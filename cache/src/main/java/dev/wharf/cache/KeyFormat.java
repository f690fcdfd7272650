package dev.wharf.cache;

import dev.wharf.layers.Digest;
import dev.wharf.layers.DigestAlgorithm;
import dev.wharf.layers.Platform;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * The canonical, versioned serialization of {@link CacheKeyInputs} that a {@link CacheKey} is the sha256 of.
 *
 * <p>Stateless and thread-safe. Written by hand rather than through Jackson so that no library upgrade can change a
 * byte: compact JSON, object keys in {@link String#compareTo} order (UTF-16 code units, as RFC 8785 sorts), strings
 * as UTF-8 (inputs hold no unpaired surrogates: {@link TextChecks}) with only {@code "} and backslash escaped by a
 * backslash, and control characters as backslash-u escapes with four lowercase hex digits, no numbers except the
 * version, every field always present (absent values are "" or empty collections). Fields listed in
 * {@link KeyExclusions} are not written.
 *
 * <p>Version history (bump {@link #VERSION} on ANY change of the bytes; {@code CacheKeyTest} pins a digest):
 * <ol>
 *   <li>wharf 0.1: {@code {"args","checksums","format","instruction","kind","parent","platform","version"}}.
 * </ol>
 */
final class KeyFormat {
    /** The current serialization version, written as the {@code version} field. */
    static final int VERSION = 1;

    /** Domain separation: no other wharf document hashes to a step key by accident. */
    static final String FORMAT_NAME = "wharf-step-cache-key";

    private KeyFormat() {
    }

    /** Returns the key of the inputs. */
    static CacheKey key(CacheKeyInputs inputs) {
        MessageDigest sha256 = DigestAlgorithm.SHA256.newMessageDigest();
        return CacheKey.of(Digest.fromHash(DigestAlgorithm.SHA256, sha256.digest(serialize(inputs))));
    }

    /** Returns the canonical UTF-8 bytes the key is computed from. */
    static byte[] serialize(CacheKeyInputs in) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        // Top-level keys in sorted order, written explicitly: args, checksums, format, instruction, kind, parent,
        // platform, version.
        name(out, "args");
        stringMap(out, in.buildArgs());
        out.append(',');
        name(out, "checksums");
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Digest> e : in.checksums().entrySet()) {
            first = comma(out, first);
            name(out, e.getKey());
            string(out, e.getValue().toString());
        }
        out.append("},");
        name(out, "format");
        string(out, FORMAT_NAME);
        out.append(',');
        name(out, "instruction");
        out.append('{');
        first = true;
        for (Map.Entry<String, List<String>> e : in.instruction().entrySet()) {
            first = comma(out, first);
            name(out, e.getKey());
            stringList(out, e.getValue());
        }
        out.append("},");
        name(out, "kind");
        string(out, in.kind());
        out.append(',');
        name(out, "parent");
        out.append('{');
        name(out, "digest");
        string(out, in.parent().digest() == null ? "" : in.parent().digest().toString());
        out.append(',');
        name(out, "kind");
        string(out, in.parent().kind().wireName());
        out.append("},");
        name(out, "platform");
        platform(out, in.platform());
        out.append(',');
        name(out, "version");
        out.append(VERSION);
        out.append('}');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void platform(StringBuilder out, Platform p) {
        out.append('{');
        name(out, "architecture");
        string(out, p.architecture());
        out.append(',');
        name(out, "os");
        string(out, p.os());
        out.append(',');
        name(out, "osFeatures");
        stringList(out, p.osFeatures());
        out.append(',');
        name(out, "osVersion");
        string(out, p.osVersion() == null ? "" : p.osVersion());
        out.append(',');
        name(out, "variant");
        string(out, p.variant() == null ? "" : p.variant());
        out.append('}');
    }

    private static void stringMap(StringBuilder out, Map<String, String> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : map.entrySet()) {
            first = comma(out, first);
            name(out, e.getKey());
            string(out, e.getValue());
        }
        out.append('}');
    }

    private static void stringList(StringBuilder out, List<String> list) {
        out.append('[');
        boolean first = true;
        for (String s : list) {
            first = comma(out, first);
            string(out, s);
        }
        out.append(']');
    }

    private static boolean comma(StringBuilder out, boolean first) {
        if (!first) {
            out.append(',');
        }
        return false;
    }

    private static void name(StringBuilder out, String name) {
        string(out, name);
        out.append(':');
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                unicodeEscape(out, c);
            } else {
                // Strings are well-formed UTF-16 (TextChecks), so surrogate pairs encode to 4-byte UTF-8.
                out.append(c);
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        out.append("0".repeat(4 - hex.length())).append(hex);
    }
}
