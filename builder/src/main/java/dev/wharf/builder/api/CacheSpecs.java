package dev.wharf.builder.api;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses docker's {@code --cache-from}/{@code --cache-to} values ({@code type=registry,ref=R,mode=max}) into
 * attributes: the one place both {@link CacheSource} and {@link CacheDestination} read them. Stateless.
 */
final class CacheSpecs {
    /** BuildKit cache types wharf does not implement, with what to use instead. */
    private static final Set<String> UNSUPPORTED = Set.of("gha", "s3", "azblob");

    private CacheSpecs() {
    }

    /**
     * Splits {@code value} into lower-case keys and their values; a value without {@code =} is a registry
     * reference, as in {@code docker buildx build --cache-from user/app:cache}.
     *
     * @param flag the option, for messages
     * @param allowed the keys accepted besides {@code type}
     */
    static Map<String, String> parse(String value, String flag, Set<String> allowed) {
        return parse(value, flag, allowed, false);
    }

    /** As {@link #parse(String, String, Set)}; {@code inline} says whether {@code type=inline} is accepted. */
    static Map<String, String> parse(String value, String flag, Set<String> allowed, boolean inline) {
        Map<String, String> attrs = new LinkedHashMap<>();
        if (!value.contains("=")) {
            if (value.isBlank()) {
                throw new IllegalArgumentException(flag + " is empty; give type=registry,ref=NAME or "
                        + "type=local,...");
            }
            attrs.put("type", "registry");
            attrs.put("ref", value.trim());
            return attrs;
        }
        // buildx util/buildflags/cache.go: one CSV line (csvvalue.Fields), quoted fields keep their commas.
        java.util.List<String> fields;
        try {
            fields = dev.wharf.grammar.go.GoCsv.fields(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + value + ": " + e.getMessage(), e);
        }
        for (String field : fields) {
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(flag + " field \"" + field + "\" is not KEY=VALUE");
            }
            String key = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!key.equals("type") && !allowed.contains(key)) {
                throw new IllegalArgumentException(flag + " option \"" + key + "\" is not supported; use "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
            attrs.put(key, field.substring(eq + 1).trim());
        }
        String type = attrs.getOrDefault("type", "");
        if (type.isEmpty()) {
            throw new IllegalArgumentException(flag + " \"" + value + "\" has no type=; use type=registry or "
                    + "type=local");
        }
        if (UNSUPPORTED.contains(type)) {
            throw new IllegalArgumentException(flag + " type=" + type + " is not supported by wharf; use "
                    + "type=registry,ref=NAME (a registry is the shared store) or type=local");
        }
        if (type.equals("inline")) {
            if (!inline) {
                throw new IllegalArgumentException(flag + " type=inline is not a cache source; name the image that "
                        + "carries the inline cache: " + flag + " type=registry,ref=IMAGE");
            }
            return attrs;
        }
        if (!type.equals("registry") && !type.equals("local")) {
            throw new IllegalArgumentException(flag + " type \"" + type + "\" is unknown; use registry or local");
        }
        return attrs;
    }

    /** Returns the attribute, or fails naming what is missing. */
    static String require(Map<String, String> attrs, String key, String flag) {
        String v = attrs.getOrDefault(key, "");
        if (v.isEmpty()) {
            throw new IllegalArgumentException(flag + " type=" + attrs.get("type") + " needs " + key + "=");
        }
        return v;
    }

    /** Parses a boolean attribute as Go's strconv.ParseBool does for the common spellings. */
    static boolean bool(Map<String, String> attrs, String key, String flag) {
        String v = attrs.getOrDefault(key, "false").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "1", "t" -> true;
            case "false", "0", "f", "" -> false;
            default -> throw new IllegalArgumentException(flag + " " + key + "=" + v + " is not true or false");
        };
    }
}
