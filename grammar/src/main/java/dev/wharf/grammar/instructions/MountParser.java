package dev.wharf.grammar.instructions;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.go.GoNumbers;
import dev.wharf.grammar.go.GoQuote;
import dev.wharf.grammar.go.GoStrings;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Parses {@code RUN --mount} values: BuildKit's {@code parseMount} ({@code commands_runmount.go}), with its
 * messages. Errors are unlocated; the caller attaches the flag's position.
 *
 * <p>Stateless and thread-safe.
 */
final class MountParser {

    private static final List<String> TYPES = List.of("bind", "cache", "tmpfs", "secret", "ssh");
    private static final List<String> SHARING = List.of("shared", "private", "locked");
    private static final List<String> ALL_KEYS = List.of("type", "from", "source", "target", "readonly", "id",
            "sharing", "required", "size", "mode", "uid", "gid", "src", "dst", "destination", "ro", "rw",
            "readwrite", "env");

    private MountParser() {
    }

    /**
     * The checks BuildKit makes when the instruction is parsed, before variables are known (parseMount with a
     * nil expander): the CSV syntax, and no variable in {@code from} (a {@code $} that is not the last character).
     */
    static void checkUnexpanded(String value) throws DockerfileException {
        for (String field : fields(value)) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = GoStrings.toLower(field.substring(0, eq));
            String v = field.substring(eq + 1);
            if (key.equals("from")) {
                int dollar = v.indexOf('$');
                if (dollar != -1 && dollar != v.length() - 1) {
                    throw Errors.unlocated("'" + key + "' doesn't support variable expansion, define alias stage instead");
                }
            }
        }
    }

    /** The mount described by {@code value}, every value passed through {@code expander} first. */
    static Mount parse(String value, WordExpander expander) throws DockerfileException {
        MountType type = MountType.BIND;
        String from = "";
        String source = "";
        String target = "";
        boolean readOnly = false;
        boolean roAuto = true;
        long size = 0;
        String cacheId = "";
        Optional<SharingMode> sharing = Optional.empty();
        boolean required = false;
        Optional<String> env = Optional.empty();
        OptionalLong mode = OptionalLong.empty();
        OptionalLong uid = OptionalLong.empty();
        OptionalLong gid = OptionalLong.empty();

        for (String field : fields(value)) {
            int eq = field.indexOf('=');
            String key = GoStrings.toLower(eq < 0 ? field : field.substring(0, eq));
            if (eq < 0) {
                switch (key) {
                    case "readonly", "ro" -> {
                        readOnly = true;
                        roAuto = false;
                    }
                    case "readwrite", "rw" -> {
                        readOnly = false;
                        roAuto = false;
                    }
                    case "required" -> {
                        if (type != MountType.SECRET && type != MountType.SSH) {
                            throw unexpectedKeyForType(key, type);
                        }
                        required = true;
                    }
                    default -> throw Errors.unlocated("invalid field '" + field + "' must be a key=value pair");
                }
                continue;
            }
            String v = expander.expand(field.substring(eq + 1));
            switch (key) {
                case "type" -> {
                    String lower = GoStrings.toLower(v);
                    int index = TYPES.indexOf(lower);
                    if (index < 0) {
                        throw Errors.unlocated(Suggest.withHint("unsupported mount type " + GoQuote.quote(v), v,
                                TYPES, true));
                    }
                    type = MountType.values()[index];
                }
                case "from" -> from = v;
                case "source", "src" -> source = v;
                case "target", "dst", "destination" -> target = v;
                case "readonly", "ro" -> {
                    readOnly = bool(key, v);
                    roAuto = false;
                }
                case "readwrite", "rw" -> {
                    readOnly = !bool(key, v);
                    roAuto = false;
                }
                case "required" -> {
                    if (type != MountType.SECRET && type != MountType.SSH) {
                        throw unexpectedKeyForType(key, type);
                    }
                    required = bool(key, v);
                }
                case "size" -> {
                    if (type != MountType.TMPFS) {
                        throw unexpectedKeyForType(key, type);
                    }
                    OptionalLong bytes = GoNumbers.ramInBytes(v);
                    if (bytes.isEmpty()) {
                        throw invalidValue(key, v);
                    }
                    size = bytes.getAsLong();
                }
                case "id" -> cacheId = v;
                case "sharing" -> {
                    int index = SHARING.indexOf(GoStrings.toLower(v));
                    if (index < 0) {
                        throw Errors.unlocated(Suggest.withHint("unsupported sharing value " + GoQuote.quote(v), v,
                                SHARING, true));
                    }
                    sharing = Optional.of(SharingMode.values()[index]);
                }
                case "mode" -> mode = number(GoNumbers.parseUint32(v, 8), "mode", v);
                case "uid" -> uid = number(GoNumbers.parseUint32(v, 10), "uid", v);
                case "gid" -> gid = number(GoNumbers.parseUint32(v, 10), "gid", v);
                case "env" -> env = Optional.of(v);
                default -> throw Errors.unlocated(Suggest.withHint(
                        "unexpected key '" + key + "' in '" + field + "'", key, ALL_KEYS, true));
            }
        }

        boolean fileInfoAllowed = type == MountType.SECRET || type == MountType.SSH || type == MountType.CACHE;
        if (!fileInfoAllowed) {
            String quotedType = GoQuote.quote(type.value());
            if (mode.isPresent()) {
                throw Errors.unlocated("mode not allowed for " + quotedType + " type mounts");
            }
            if (uid.isPresent()) {
                throw Errors.unlocated("uid not allowed for " + quotedType + " type mounts");
            }
            if (gid.isPresent()) {
                throw Errors.unlocated("gid not allowed for " + quotedType + " type mounts");
            }
        }
        if (roAuto) {
            readOnly = type != MountType.CACHE && type != MountType.TMPFS;
        }
        if (type == MountType.SECRET) {
            if (!from.isEmpty()) {
                throw Errors.unlocated("secret mount should not have a from");
            }
            if (sharing.isPresent()) {
                throw Errors.unlocated("secret mount should not define sharing");
            }
            if (source.isEmpty() && target.isEmpty() && cacheId.isEmpty()) {
                throw Errors.unlocated("invalid secret mount. one of source, target required");
            }
            if (!source.isEmpty() && !cacheId.isEmpty()) {
                throw Errors.unlocated("both source and id can't be set");
            }
        }
        if (sharing.isPresent() && type != MountType.CACHE) {
            throw Errors.unlocated("invalid cache sharing set for " + type.value() + " mount");
        }
        return new Mount(type, from, source, target, readOnly, size, cacheId, sharing, required, env, mode, uid,
                gid);
    }

    private static List<String> fields(String value) throws DockerfileException {
        try {
            return Csv.fields(value);
        } catch (DockerfileException e) {
            throw Errors.unlocated("failed to parse csv mounts: " + e.reason());
        }
    }

    private static boolean bool(String key, String value) throws DockerfileException {
        Optional<Boolean> b = GoNumbers.parseBool(value);
        if (b.isEmpty()) {
            throw invalidValue(key, value);
        }
        return b.get();
    }

    private static OptionalLong number(OptionalLong parsed, String key, String value) throws DockerfileException {
        if (parsed.isEmpty()) {
            throw Errors.unlocated("invalid value " + value + " for " + key);
        }
        return parsed;
    }

    private static DockerfileException invalidValue(String key, String value) {
        return Errors.unlocated("invalid value for " + key + ": " + value);
    }

    private static DockerfileException unexpectedKeyForType(String key, MountType type) {
        return Errors.unlocated("unexpected key '" + key + "' for mount type '" + type.value() + "'");
    }
}
