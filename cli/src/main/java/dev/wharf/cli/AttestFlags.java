package dev.wharf.cli;

import dev.wharf.grammar.go.GoCsv;
import dev.wharf.grammar.go.GoNumbers;
import dev.wharf.grammar.go.GoQuote;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The errors buildx 0.13 and BuildKit give {@code --attest}, {@code --provenance} and {@code --sbom} values: buildx's
 * parser (util/buildflags/attests.go: CanonicalizeAttest turns a shorthand into {@code type=T,VALUE}, ParseAttests
 * refuses a field without {@code =}, a {@code disabled=} that is no boolean, no type and a repeated type), then
 * BuildKit's (frontend/attestations/parse.go Validate: types other than sbom and provenance, for the attestations not
 * disabled). wharf makes no attestations, but a value docker build refuses must fail here too, not be ignored with
 * a warning. Stateless.
 */
final class AttestFlags {
    private AttestFlags() {
    }

    /**
     * The first error buildx would print, without its {@code ERROR: }; empty when none.
     *
     * @param attests the {@code --attest} values
     * @param provenance the last {@code --provenance} value, null when not given
     * @param sbom the last {@code --sbom} value, null when not given
     */
    static Optional<String> problem(List<String> attests, String provenance, String sbom) {
        // commands/build.go: the --attest values, then the shorthands canonicalized, all through ParseAttests, so a
        // shorthand and an --attest of the same type are a duplicate too.
        List<String> all = new ArrayList<>(attests);
        canonical("provenance", provenance).ifPresent(all::add);
        canonical("sbom", sbom).ifPresent(all::add);
        List<String> enabledTypes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            for (String value : all) {
                Optional<Attest> attest = parse(value);
                if (attest.isPresent()) {
                    if (!seen.add(attest.get().type)) {
                        return Optional.of("duplicate attestation field " + attest.get().type);
                    }
                    if (!attest.get().disabled) {
                        enabledTypes.add(attest.get().type);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        for (String type : enabledTypes) {
            String key = type.toLowerCase(Locale.ROOT);
            if (!key.equals("sbom") && !key.equals("provenance")) {
                return Optional.of("failed to solve: unknown attestation type " + GoQuote.quote(key));
            }
        }
        return Optional.empty();
    }

    /** CanonicalizeAttest: a boolean is {@code type=T,disabled=!b}, anything else {@code type=T,VALUE}. */
    private static Optional<String> canonical(String type, String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(GoNumbers.parseBool(value).map(b -> "type=" + type + ",disabled=" + !b)
                .orElse("type=" + type + "," + value));
    }

    private record Attest(String type, boolean disabled) {
    }

    /** ParseAttest: empty for an empty value. */
    private static Optional<Attest> parse(String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String type = "";
        boolean disabled = false;
        for (String field : GoCsv.fields(value)) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("invalid value " + field);
            }
            String key = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = field.substring(eq + 1);
            if (key.equals("type")) {
                type = v;
            } else if (key.equals("disabled")) {
                disabled = GoNumbers.parseBool(v).orElseThrow(() -> new IllegalArgumentException("invalid value " + field
                        + ": strconv.ParseBool: parsing " + GoQuote.quote(v) + ": invalid syntax"));
            }
        }
        if (type.isEmpty()) {
            throw new IllegalArgumentException("attestation type not specified");
        }
        return Optional.of(new Attest(type, disabled));
    }
}
