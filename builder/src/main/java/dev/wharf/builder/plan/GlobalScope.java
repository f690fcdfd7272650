package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.ArgDefinition;
import dev.wharf.grammar.instructions.ArgInstruction;
import dev.wharf.grammar.shell.ShellLexer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The global ARG scope that FROM lines are expanded in: the predefined platform ARGs and {@code TARGETSTAGE}
 * (BuildKit's {@code defaultArgs}, dockerfile2llb/platform.go), then the ARGs before the first FROM with build
 * args overriding their defaults ({@code buildMetaArgs}, dockerfile2llb/convert.go).
 *
 * <p>Immutable and thread-safe.
 *
 * @param args     the resolved global ARGs
 * @param declared the names of the ARGs declared before the first FROM
 */
record GlobalScope(EnvList args, Set<String> declared) {

    /** Predefined ARGs that need no declaration to be passed as build args (never "unused"). */
    static final Set<String> PREDEFINED = Set.of("BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH",
            "BUILDVARIANT", "TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT",
            "TARGETSTAGE", "SOURCE_DATE_EPOCH", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
            "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    GlobalScope {
        declared = Set.copyOf(declared);
    }

    /**
     * The global scope for a build on {@code platform} of {@code target} ("" when the last stage has no name).
     */
    static GlobalScope build(String file, Platform platform, String target, Map<String, String> buildArgs,
                             List<ArgInstruction> metaArgs, ShellLexer lexer) throws DockerfileException {
        EnvList args = predefined(platform, target, buildArgs);
        Set<String> declared = new LinkedHashSet<>();
        for (ArgInstruction instruction : metaArgs) {
            for (ArgDefinition def : instruction.args()) {
                declared.add(def.key());
                String value = buildArgs.get(def.key());
                if (value == null && def.defaultValue().isPresent()) {
                    Expander expander = new Expander(file, lexer, args, instruction.range());
                    value = expander.expand(def.defaultValue().get());
                }
                if (value != null) {
                    args = args.addOrReplace(def.key(), value);
                }
            }
        }
        return new GlobalScope(args, declared);
    }

    /** BuildKit's {@code defaultArgs}: the build and target platform ARGs, overridable by build args. */
    static EnvList predefined(Platform platform, String target, Map<String, String> buildArgs) {
        String[][] values = {
            {"BUILDPLATFORM", platform.format()},
            {"BUILDOS", platform.os()},
            {"BUILDOSVERSION", ""},
            {"BUILDARCH", platform.architecture()},
            {"BUILDVARIANT", platform.variant()},
            {"TARGETPLATFORM", platform.format()},
            {"TARGETOS", platform.os()},
            {"TARGETOSVERSION", ""},
            {"TARGETARCH", platform.architecture()},
            {"TARGETVARIANT", platform.variant()},
            {"TARGETSTAGE", target.isEmpty() ? "default" : target},
        };
        EnvList env = EnvList.empty();
        for (String[] kv : values) {
            env = env.addOrReplace(kv[0], buildArgs.getOrDefault(kv[0], kv[1]));
        }
        return env;
    }
}
