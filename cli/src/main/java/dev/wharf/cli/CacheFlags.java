package dev.wharf.cli;

import dev.wharf.grammar.go.GoCsv;
import dev.wharf.grammar.go.GoQuote;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The errors buildx 0.13 and BuildKit give {@code --cache-from} and {@code --cache-to} values, in the order they
 * find them: buildx's parser (util/buildflags/cache.go ParseCacheEntry, every value), then BuildKit's client
 * (client/solve.go parseCacheOptions: a type's required attribute), then its daemon (control.go and bridge.go: no
 * exporter or importer of that type). Each ends docker build with {@code ERROR: ...} and status 1; wharf's own
 * refusals (types and attributes it lacks) come after these, from the builder's parser. Stateless.
 */
final class CacheFlags {
    /** buildkitd's cache exporters and importers (cmd/buildkitd main.go); inline is an exporter only. */
    private static final Set<String> EXPORTERS = Set.of("registry", "local", "inline", "gha", "s3", "azblob");
    private static final Set<String> IMPORTERS = Set.of("registry", "local", "gha", "s3", "azblob");

    private CacheFlags() {
    }

    /**
     * The error of buildx's own parser (ParseCacheEntry, run while it reads the flags, before the progress mode),
     * without its {@code ERROR: }; empty when it takes every value. {@link #problem} has the later ones too.
     */
    static Optional<String> parseProblem(List<String> cacheFrom, List<String> cacheTo) {
        try {
            parseAll(cacheFrom);
            parseAll(cacheTo);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The first error buildx would print for these values, without its {@code ERROR: }; empty when none. */
    static Optional<String> problem(List<String> cacheFrom, List<String> cacheTo) {
        try {
            List<Map<String, String>> from = parseAll(cacheFrom);
            List<Map<String, String>> to = parseAll(cacheTo);
            for (Map<String, String> entry : to) {
                require(entry, "local", "dest", "local cache exporter requires dest");
                require(entry, "registry", "ref", "registry cache exporter requires ref");
            }
            for (Map<String, String> entry : from) {
                require(entry, "local", "src", "local cache importer requires src");
                require(entry, "registry", "ref", "registry cache importer requires ref");
            }
            for (Map<String, String> entry : to) {
                if (!EXPORTERS.contains(entry.get("type"))) {
                    return Optional.of("failed to solve: unknown cache exporter: " + GoQuote.quote(entry.get("type")));
                }
            }
            for (Map<String, String> entry : from) {
                if (!IMPORTERS.contains(entry.get("type"))) {
                    return Optional.of("failed to solve: unknown cache importer: " + entry.get("type"));
                }
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The cache entries buildx 0.13 makes of the values (util/buildflags/cache.go ParseCacheEntry): a value of
     * references alone (no field has {@code =}) is one registry cache per CSV field, so {@code --cache-from a,b}
     * imports both a and b (and {@code a,} gives an empty reference, which BuildKit's client refuses); any other
     * value is one entry. An empty value is skipped, as buildx does since 0.14 (0.13 failed with encoding/csv's
     * {@code EOF}): CI scripts pass {@code --cache-from "$CACHE"} with the variable unset, and a build that ran
     * before must not fail for it.
     *
     * @throws IllegalArgumentException with buildx's message when a value is no CSV line
     */
    static List<String> entries(List<String> values) {
        List<String> out = new java.util.ArrayList<>();
        for (String value : values) {
            if (value.isEmpty()) {
                continue;
            }
            List<String> fields = GoCsv.fields(value);
            if (fields.stream().noneMatch(f -> f.contains("="))) {
                out.addAll(fields);
            } else {
                out.add(value);
            }
        }
        return out;
    }

    private static List<Map<String, String>> parseAll(List<String> values) {
        List<Map<String, String>> out = new java.util.ArrayList<>();
        for (String value : entries(values)) {
            out.add(parse(value));
        }
        return out;
    }

    /** ParseCacheEntry's reading of one entry: type and attributes, keys lower-cased. */
    private static Map<String, String> parse(String value) {
        Map<String, String> attrs = new LinkedHashMap<>();
        if (!value.contains("=")) {
            // One reference (entries() split a list of them): a registry cache.
            attrs.put("type", "registry");
            attrs.put("ref", value);
            return attrs;
        }
        List<String> fields = GoCsv.fields(value);
        attrs.put("type", "");
        for (String field : fields) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("invalid value " + field);
            }
            attrs.put(field.substring(0, eq).toLowerCase(Locale.ROOT), field.substring(eq + 1));
        }
        if (attrs.get("type").isEmpty()) {
            throw new IllegalArgumentException("type required form> " + GoQuote.quote(value));
        }
        return attrs;
    }

    private static void require(Map<String, String> entry, String type, String key, String message) {
        if (entry.get("type").equals(type) && entry.getOrDefault(key, "").isEmpty()) {
            throw new IllegalArgumentException(message);
        }
    }
}
