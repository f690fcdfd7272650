package dev.wharf.builder.plan.lint;

/**
 * A Dockerfile build check: BuildKit's lint rules ({@code frontend/dockerfile/linter/ruleset.go}), with their exact
 * names, descriptions, documentation links and whether they are experimental (off unless
 * {@code # check=experimental=NAME|all} turns them on).
 *
 * <p>Immutable and thread-safe.
 */
public enum CheckRule {
    STAGE_NAME_CASING("StageNameCasing", "Stage names should be lowercase", "stage-name-casing", false),
    FROM_AS_CASING("FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword",
            "from-as-casing", false),
    NO_EMPTY_CONTINUATION("NoEmptyContinuation", "Empty continuation lines will become errors in a future release",
            "no-empty-continuation", false),
    CONSISTENT_INSTRUCTION_CASING("ConsistentInstructionCasing",
            "All commands within the Dockerfile should use the same casing (either upper or lower)",
            "consistent-instruction-casing", false),
    DUPLICATE_STAGE_NAME("DuplicateStageName", "Stage names should be unique", "duplicate-stage-name", false),
    RESERVED_STAGE_NAME("ReservedStageName", "Reserved words should not be used as stage names",
            "reserved-stage-name", false),
    JSON_ARGS_RECOMMENDED("JSONArgsRecommended",
            "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
            "json-args-recommended", false),
    MAINTAINER_DEPRECATED("MaintainerDeprecated",
            "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
            "maintainer-deprecated", false),
    UNDEFINED_ARG_IN_FROM("UndefinedArgInFrom", "FROM command must use declared ARGs", "undefined-arg-in-from",
            false),
    WORKDIR_RELATIVE_PATH("WorkdirRelativePath", "Relative workdir without an absolute workdir declared within the"
            + " build can have unexpected results if the base image changes", "workdir-relative-path", false),
    UNDEFINED_VAR("UndefinedVar", "Variables should be defined before their use", "undefined-var", false),
    MULTIPLE_INSTRUCTIONS_DISALLOWED("MultipleInstructionsDisallowed",
            "Multiple instructions of the same type should not be used in the same stage",
            "multiple-instructions-disallowed", false),
    LEGACY_KEY_VALUE_FORMAT("LegacyKeyValueFormat",
            "Legacy key/value format with whitespace separator should not be used", "legacy-key-value-format",
            false),
    /** The only rule without a documentation page upstream. */
    INVALID_BASE_IMAGE_PLATFORM("InvalidBaseImagePlatform",
            "Base image platform does not match expected target platform", null, false),
    REDUNDANT_TARGET_PLATFORM("RedundantTargetPlatform", "Setting platform to predefined $TARGETPLATFORM in FROM is"
            + " redundant as this is the default behavior", "redundant-target-platform", false),
    SECRETS_USED_IN_ARG_OR_ENV("SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV"
            + " commands", "secrets-used-in-arg-or-env", false),
    INVALID_DEFAULT_ARG_IN_FROM("InvalidDefaultArgInFrom",
            "Default value for global ARG results in an empty or invalid base image name",
            "invalid-default-arg-in-from", false),
    FROM_PLATFORM_FLAG_CONST_DISALLOWED("FromPlatformFlagConstDisallowed",
            "FROM --platform flag should not use a constant value", "from-platform-flag-const-disallowed", false),
    COPY_IGNORED_FILE("CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore",
            "copy-ignored-file", false),
    INVALID_DEFINITION_DESCRIPTION("InvalidDefinitionDescription", "Comment for build stage or argument should"
            + " follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description"
            + " comment, add an empty line or comment between the instruction and the comment.",
            "invalid-definition-description", true),
    EXPOSE_PROTO_CASING("ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase",
            "expose-proto-casing", false),
    EXPOSE_INVALID_FORMAT("ExposeInvalidFormat", "IP address and host-port mapping should not be used in EXPOSE"
            + " instruction. This will become an error in a future release", "expose-invalid-format", false);

    private static final String DOCS = "https://docs.docker.com/go/dockerfile/rule/";

    private final String ruleName;
    private final String description;
    private final String url;
    private final boolean experimental;

    CheckRule(String ruleName, String description, String page, boolean experimental) {
        this.ruleName = ruleName;
        this.description = description;
        this.url = page == null ? "" : DOCS + page + "/";
        this.experimental = experimental;
    }

    /** The rule's name as BuildKit spells it ({@code JSONArgsRecommended}), used by {@code # check=skip=}. */
    public String ruleName() {
        return ruleName;
    }

    /** What the rule asks for, one sentence. */
    public String description() {
        return description;
    }

    /** The rule's documentation page, or "" when it has none. */
    public String url() {
        return url;
    }

    /** Whether the rule only runs when {@code experimental=} names it (or says {@code all}). */
    public boolean experimental() {
        return experimental;
    }
}
