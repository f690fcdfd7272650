package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.plan.lint.CheckWarning;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Build checks against BuildKit's own cases: the Dockerfiles and expected warnings of
 * frontend/dockerfile/dockerfile_check_test.go, transcribed. Each expected warning is {@code Rule:line:detail};
 * like BuildKit's {@code checkLinterWarnings}, both sides are compared sorted by line, then detail.
 */
class BuildChecksTest {

    /** One BuildKit case: a Dockerfile, its build args and the warnings a build of its last stage reports. */
    record Case(String name, String dockerfile, Map<String, String> buildArgs, List<String> warnings) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case of(String name, String dockerfile, String... warnings) {
        return new Case(name, dockerfile, Map.of(), List.of(warnings));
    }

    private static Case withArgs(String name, String dockerfile, Map<String, String> args, String... warnings) {
        return new Case(name, dockerfile, args, List.of(warnings));
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(of("secrets used in ARG or ENV", """
                # check=skip=InvalidDefinitionDescription

                FROM scratch
                ARG SECRET_PASSPHRASE
                ENV SUPER_Secret=foo
                ENV password=bar secret=baz
                ARG super_duper_secret_token=foo auth=bar
                ENV apikey=bar sunflower=foo
                ENV git_key=
                ENV PUBLIC_KEY=
                ARG public_token
                ARG SECRET_PASSPHRASE_FILE
                ENV password_file=bar secret_File=baz
                ARG AUTH_MODULE_VERSION
                # check=skip=SecretsUsedInArgOrEnv // allow secret in environment
                ENV password=bar
                # check=skip=SecretsUsedInArgOrEnv // allow secret in arg
                ARG password
                # check=skip=all // is local to only this instruction
                ENV alternate_password=bar
                # check=skip=all // is local to only this instruction
                ARG alternate_password
                """,
                "SecretsUsedInArgOrEnv:4:Do not use ARG or ENV instructions for sensitive data (ARG \"SECRET_PASSPHRASE\")",
                "SecretsUsedInArgOrEnv:5:Do not use ARG or ENV instructions for sensitive data (ENV \"SUPER_Secret\")",
                "SecretsUsedInArgOrEnv:6:Do not use ARG or ENV instructions for sensitive data (ENV \"password\")",
                "SecretsUsedInArgOrEnv:6:Do not use ARG or ENV instructions for sensitive data (ENV \"secret\")",
                "SecretsUsedInArgOrEnv:7:Do not use ARG or ENV instructions for sensitive data (ARG \"auth\")",
                "SecretsUsedInArgOrEnv:7:Do not use ARG or ENV instructions for sensitive data"
                        + " (ARG \"super_duper_secret_token\")",
                "SecretsUsedInArgOrEnv:8:Do not use ARG or ENV instructions for sensitive data (ENV \"apikey\")",
                "SecretsUsedInArgOrEnv:9:Do not use ARG or ENV instructions for sensitive data (ENV \"git_key\")"));
        cases.add(of("all-target: only the built stage", "\nFROM scratch AS first\nCOPY $foo .\n\n"
                + "FROM scratch AS second\nCOPY $bar .\n",
                "UndefinedVar:6:Usage of undefined variable '$bar'"));
        String ruleCheck = "FROM scratch as base\ncopy Dockerfile .\n";
        cases.add(of("check=skip=all", "#check=skip=all\n" + ruleCheck));
        cases.add(of("check=skip=all;error=true", "#check=skip=all;error=true\n" + ruleCheck));
        cases.add(of("check=skip two rules", "#check=skip=ConsistentInstructionCasing,FromAsCasing\n" + ruleCheck));
        cases.add(of("check=skip two rules, error", "#check=skip=ConsistentInstructionCasing,FromAsCasing;error=true\n"
                + ruleCheck));
        cases.add(of("check=skip one rule", "#check=skip=ConsistentInstructionCasing\n" + ruleCheck,
                "FromAsCasing:2:'as' and 'FROM' keywords' casing do not match"));
        cases.add(withArgs("build arg replaces the directive", "#check=error=true\n" + ruleCheck,
                Map.of("BUILDKIT_DOCKERFILE_CHECK", "skip=all")));
        cases.add(of("stage name casing", """

                # warning: stage name should be lowercase
                #
                FROM scratch AS BadStageName

                # warning: 'as' should match 'FROM' cmd casing.
                #
                FROM scratch as base2

                FROM scratch AS base3
                """,
                "StageNameCasing:4:Stage name 'BadStageName' should be lowercase",
                "FromAsCasing:8:'as' and 'FROM' keywords' casing do not match"));
        cases.add(of("AS with lower-case from", """

                # warning: 'AS' should match 'from' cmd casing.
                #
                from scratch AS base

                from scratch as base2
                """,
                "FromAsCasing:4:'AS' and 'from' keywords' casing do not match"));
        cases.add(of("empty continuation line", "\nFROM scratch\n# warning: empty continuation line\n"
                + "COPY Dockerfile \\\n\n.\nCOPY Dockerfile \\\n.\n",
                "NoEmptyContinuation:6:Empty continuation line"));
        cases.add(of("mixed-case From", "\n# warning: 'FROM' should be either lowercased or uppercased\n#\n"
                + "From scratch as base\nFROM scratch AS base2\n",
                "ConsistentInstructionCasing:4:Command 'From' should match the case of the command majority"
                        + " (uppercase)"));
        cases.add(of("copy among upper case", "\nFROM scratch\n# warning: 'copy' should match command majority's"
                + " casing (uppercase)\ncopy Dockerfile /foo\nCOPY Dockerfile /bar\n",
                "ConsistentInstructionCasing:4:Command 'copy' should match the case of the command majority"
                        + " (uppercase)"));
        cases.add(of("frOM among lower case", "\n# warning: 'frOM' should be either lowercased or uppercased\n#\n"
                + "frOM scratch as base\nfrom scratch as base2\n",
                "ConsistentInstructionCasing:4:Command 'frOM' should match the case of the command majority"
                        + " (lowercase)"));
        cases.add(of("COPY among lower case", "\nfrom scratch\n# warning: 'COPY' should match command majority's"
                + " casing (lowercase)\nCOPY Dockerfile /foo\ncopy Dockerfile /bar\n",
                "ConsistentInstructionCasing:4:Command 'COPY' should match the case of the command majority"
                        + " (lowercase)"));
        cases.add(of("from among upper case", "\n# warning: 'from' should match command majority's casing"
                + " (uppercase)\n#\nfrom scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\nCOPY Dockerfile /baz\n",
                "ConsistentInstructionCasing:4:Command 'from' should match the case of the command majority"
                        + " (uppercase)"));
        cases.add(of("FROM among lower case", "\n# warning: 'FROM' should match command majority's casing"
                + " (lowercase)\n#\nFROM scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\ncopy Dockerfile /baz\n",
                "ConsistentInstructionCasing:4:Command 'FROM' should match the case of the command majority"
                        + " (lowercase)"));
        cases.add(of("all lower case", "\nfrom scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\n"));
        cases.add(of("all upper case", "\nFROM scratch\nCOPY Dockerfile /foo\nCOPY Dockerfile /bar\n"));
        cases.add(of("heredoc body is not an instruction", "\nFROM alpine\nRUN <<'EOT'\nenv\nEOT\n"));
        cases.add(of("duplicate stage name", "\nFROM scratch AS b\nFROM scratch AS b\n",
                "DuplicateStageName:3:Duplicate stage name \"b\", stage names should be unique"));
        cases.add(of("distinct stage names", "\nFROM scratch AS b1\nFROM scratch AS b2\n"));
        cases.add(of("reserved stage names", "\nFROM scratch AS scratch\nFROM scratch AS context\n",
                "ReservedStageName:2:Stage name should not use the same name as reserved stage \"scratch\"",
                "ReservedStageName:3:Stage name should not use the same name as reserved stage \"context\""));
        cases.add(of("reserved name as a base only", "\nFROM scratch\nFROM scratch AS a\n"));
        cases.add(of("shell-form CMD", "\nFROM scratch\nCMD mycommand\n",
                "JSONArgsRecommended:3:JSON arguments recommended for CMD to prevent unintended behavior related"
                        + " to OS signals"));
        cases.add(of("shell-form ENTRYPOINT", "\nFROM scratch\nENTRYPOINT mycommand\n",
                "JSONArgsRecommended:3:JSON arguments recommended for ENTRYPOINT to prevent unintended behavior"
                        + " related to OS signals"));
        cases.add(of("CMD after SHELL", "\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nCMD mycommand\n"));
        cases.add(of("ENTRYPOINT after SHELL",
                "\nFROM scratch\nSHELL [\"/usr/bin/customshell\"]\nENTRYPOINT mycommand\n"));
        cases.add(of("CMD after inherited SHELL", "\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]\n\n"
                + "FROM base\nCMD mycommand\n"));
        cases.add(of("ENTRYPOINT after inherited SHELL", "\nFROM scratch AS base\nSHELL [\"/usr/bin/customshell\"]"
                + "\n\nFROM base\nENTRYPOINT mycommand\n"));
        cases.add(of("MAINTAINER", "\nFROM scratch\nMAINTAINER me@example.org\n",
                "MaintainerDeprecated:3:Maintainer instruction is deprecated in favor of using label"));
        cases.add(of("authors label", "\nFROM scratch\nLABEL org.opencontainers.image.authors=\"me@example.org\"\n"));
        cases.add(of("skip JSONArgsRecommended for CMD", "\nFROM scratch\n# check=skip=JSONArgsRecommended\n"
                + "CMD mycommand\n"));
        cases.add(of("skip JSONArgsRecommended for ENTRYPOINT", "\nFROM scratch\n# check=skip=JSONArgsRecommended\n"
                + "ENTRYPOINT mycommand\n"));
        cases.add(of("skip MaintainerDeprecated", "\nFROM scratch\n# check=skip=MaintainerDeprecated\n"
                + "MAINTAINER me@example.org\n"));
        cases.add(of("declared base arg", "\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n"));
        cases.add(of("declared BUILDPLATFORM", "\nARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM"
                + " scratch\nCOPY Dockerfile .\n"));
        cases.add(of("predefined BUILDPLATFORM", "\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n"));
        cases.add(of("declared empty suffix", "\nARG DEBUG\nFROM scratch${DEBUG}\nCOPY Dockerfile .\n"));
        cases.add(of("declared with default", "\nARG DEBUG\nFROM scra${DEBUG:-tch}\nCOPY Dockerfile .\n"));
        cases.add(of("undeclared FROM arg", "\nARG tag=latest\nFROM busybox:${tag}${version} AS b\n"
                + "COPY Dockerfile .\n",
                "UndefinedArgInFrom:3:FROM argument 'version' is not declared"));
        cases.add(of("relative WORKDIR", "\nFROM scratch\nWORKDIR app/\n",
                "WorkdirRelativePath:3:Relative workdir \"app/\" can have unexpected results if the base image"
                        + " changes"));
        cases.add(of("relative WORKDIR after an absolute one in the base stage", "\nFROM scratch AS a\nWORKDIR /app"
                + "\n\nFROM a AS b\nWORKDIR subdir/\n"));
        cases.add(of("skip WorkdirRelativePath", "\nFROM scratch\n# check=skip=WorkdirRelativePath\nWORKDIR app/\n"));
        cases.add(of("declared ARG in COPY", "\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n"));
        cases.add(of("ARG of the base stage", "\nFROM alpine AS base\nARG foo=Dockerfile\n\nFROM base\n"
                + "COPY $foo .\n"));
        cases.add(of("RUN is not expanded", "\nFROM alpine\nRUN echo $PATH\n"));
        cases.add(of("ARG declared too late", "\nFROM alpine\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n",
                "UndefinedVar:3:Usage of undefined variable '$foo'"));
        cases.add(of("misspelt ARG", "\nFROM alpine\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\n"
                + "ARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n\t",
                "UndefinedVar:6:Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)"));
        cases.add(of("misspelt PATH", "\nFROM alpine\nENV PATH=$PAHT:/tmp/bin\n\t\t",
                "UndefinedVar:3:Usage of undefined variable '$PAHT' (did you mean $PATH?)"));
        String multiple = "Multiple %s instructions should not be used in the same stage because only the last one"
                + " will be used";
        cases.add(of("repeated CMD, ENTRYPOINT, HEALTHCHECK", "\nFROM scratch\nENTRYPOINT [\"/myapp\"]\n"
                + "ENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myapp\"]\nCMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myapp\"]\n"
                + "HEALTHCHECK CMD [\"/myotherapp\"]\n",
                "MultipleInstructionsDisallowed:3:" + multiple.formatted("ENTRYPOINT"),
                "MultipleInstructionsDisallowed:5:" + multiple.formatted("CMD"),
                "MultipleInstructionsDisallowed:7:" + multiple.formatted("HEALTHCHECK")));
        cases.add(of("repeated with a step between", "\nFROM scratch\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\n"
                + "HEALTHCHECK CMD [\"/myapp\"]\nCOPY <<EOF /a.txt\nHello, World!\nEOF\nENTRYPOINT [\"/myotherapp\"]\n"
                + "CMD [\"/myotherapp\"]\nHEALTHCHECK CMD [\"/myotherapp\"]\n",
                "MultipleInstructionsDisallowed:3:" + multiple.formatted("ENTRYPOINT"),
                "MultipleInstructionsDisallowed:4:" + multiple.formatted("CMD"),
                "MultipleInstructionsDisallowed:5:" + multiple.formatted("HEALTHCHECK")));
        cases.add(of("once per stage", "\nFROM scratch AS a\nENTRYPOINT [\"/myapp\"]\nCMD [\"/myapp\"]\n"
                + "HEALTHCHECK CMD [\"/myapp\"]\n\nFROM a AS b\nENTRYPOINT [\"/myotherapp\"]\nCMD [\"/myotherapp\"]\n"
                + "HEALTHCHECK CMD [\"/myotherapp\"]\n"));
        cases.add(of("legacy key value", "\nFROM scratch\nENV testkey value\nLABEL key value\n",
                "LegacyKeyValueFormat:3:\"ENV key=value\" should be used instead of legacy \"ENV key value\" format",
                "LegacyKeyValueFormat:4:\"LABEL key=value\" should be used instead of legacy \"LABEL key value\""
                        + " format"));
        cases.add(of("key=value", "\nFROM scratch\nENV testkey=value\nLABEL key=value\n"));
        cases.add(of("legacy key value in a stage not built", "\nFROM scratch AS a\n\nFROM a AS b\n"
                + "ENV testkey value\nLABEL key value\n\nFROM a AS c\n"));
        cases.add(of("skip LegacyKeyValueFormat", "\nFROM scratch\n# check=skip=LegacyKeyValueFormat\n"
                + "ENV testkey value\n# check=skip=LegacyKeyValueFormat\nLABEL key value\n"));
        cases.add(of("$TARGETPLATFORM", "\nFROM --platform=$TARGETPLATFORM scratch\n",
                "RedundantTargetPlatform:2:Setting platform to predefined $TARGETPLATFORM in FROM is redundant as"
                        + " this is the default behavior"));
        cases.add(of("${TARGETPLATFORM}", "\nFROM --platform=${TARGETPLATFORM} scratch\n",
                "RedundantTargetPlatform:2:Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant as"
                        + " this is the default behavior"));
        cases.add(of("skip RedundantTargetPlatform", "\n# check=skip=RedundantTargetPlatform\n"
                + "FROM --platform=$TARGETPLATFORM scratch\n"));
        String invalidDefault = "InvalidDefaultArgInFrom:3:Default value for ARG %s results in empty or invalid base"
                + " image name";
        cases.add(withArgs("ARG without default in a tag", "\nARG VERSION\nFROM busybox:$VERSION\n",
                Map.of("VERSION", "latest"), invalidDefault.formatted("busybox:$VERSION")));
        cases.add(withArgs("ARG without default as the image", "\nARG IMAGE\nFROM $IMAGE\n",
                Map.of("IMAGE", "busybox:latest"), invalidDefault.formatted("$IMAGE")));
        cases.add(withArgs("default leaves a trailing colon", "\nARG SFX=\"box:\"\nFROM busy${SFX}\n",
                Map.of("SFX", "box:latest"), invalidDefault.formatted("busy${SFX}")));
        cases.add(withArgs("valid default", "\nARG VERSION=\"latest\"\nFROM busybox:${VERSION}\n",
                Map.of("VERSION", "latest")));
        cases.add(withArgs("empty default suffix", "\nARG BUSYBOX_VARIANT=\"\"\nFROM busybox:stable${BUSYBOX_VARIANT}\n",
                Map.of("BUSYBOX_VARIANT", "-musl")));
        cases.add(withArgs("no default suffix", "\n\tARG BUSYBOX_VARIANT\n\tFROM busybox:stable${BUSYBOX_VARIANT}\n\t",
                Map.of("BUSYBOX_VARIANT", "-musl")));
        cases.add(of("constant platform", "\nFROM --platform=linux/amd64 scratch\n",
                "FromPlatformFlagConstDisallowed:2:FROM --platform flag should not use constant value"
                        + " \"linux/amd64\""));
        cases.add(of("constant platform named by architecture",
                "\nFROM --platform=linux/amd64 scratch AS my_amd64_stage\n"));
        cases.add(of("constant platform named by os", "\nFROM --platform=linux/amd64 scratch AS linux\n"));
        cases.add(of("EXPOSE protocol casing", "\nFROM scratch\nEXPOSE 80/TcP 8080/TCP 8080/udp\n",
                "ExposeProtoCasing:3:Defined protocol '80/TcP' in EXPOSE instruction should be lowercase",
                "ExposeProtoCasing:3:Defined protocol '8080/TCP' in EXPOSE instruction should be lowercase"));
        String exposeFormat = "ExposeInvalidFormat:3:EXPOSE instruction should not define an IP address or"
                + " host-port mapping, found '%s'";
        cases.add(of("EXPOSE host mappings", "\nFROM scratch\nEXPOSE 127.0.0.1:80:80 [::1]:8080:8080 5000:5000 8000\n",
                exposeFormat.formatted("127.0.0.1:80:80"), exposeFormat.formatted("[::1]:8080:8080"),
                exposeFormat.formatted("5000:5000")));
        cases.add(of("definition descriptions that follow the format", """
                # check=skip=all;experimental=InvalidDefinitionDescription
                # foo this is the foo
                ARG foo=bar

                # base this is the base image
                FROM scratch AS base

                # version this is the version number
                ARG version=latest

                # baz this is the baz
                ARG foo=baz bar=qux baz=quux
                #
                ARG bit=bat

                # comment for something other than ARG or FROM
                COPY Dockerfile .
                """));
        cases.add(of("definition descriptions that do not", """
                # check=experimental=InvalidDefinitionDescription
                # bar this is the bar
                ARG foo=bar
                # BasE this is the BasE image
                FROM scratch AS base
                # definitely a bad comment
                ARG version=latest
                # definitely a bad comment
                ARG foo=baz bar=qux baz=quux
                """,
                "InvalidDefinitionDescription:3:Comment for ARG should follow the format: `# foo <description>`",
                "InvalidDefinitionDescription:5:Comment for FROM should follow the format: `# base <description>`",
                "InvalidDefinitionDescription:7:Comment for ARG should follow the format: `# version <description>`",
                "InvalidDefinitionDescription:9:Comment for ARG should follow the format:"
                        + " `# <arg_key> <description>`"));
        cases.add(of("experimental rules are off by default", "# bar this is the bar\nARG foo=bar\nFROM scratch\n"));
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void buildReportsBuildKitsWarnings(Case c) throws DockerfileException {
        BuildPlan plan = Plans.plan(c.dockerfile(), Plans.request().withBuildArgs(c.buildArgs()));
        List<CheckWarning> found = plan.warnings().stream().flatMap(w -> w.check().stream()).toList();
        assertEquals(sorted(c.warnings()), sorted(found.stream().map(BuildChecksTest::text).toList()));
    }

    static Stream<Arguments> ignoredCases() {
        String copyAdd = "\nFROM scratch\nCOPY Dockerfile .\nADD Dockerfile /windy\n";
        String copyWarning = "CopyIgnoredFile:3:Attempting to Copy file \"Dockerfile\" that is excluded by .dockerignore";
        String addWarning = "CopyIgnoredFile:4:Attempting to Add file \"Dockerfile\" that is excluded by .dockerignore";
        return Stream.of(
                Arguments.of("ignored Dockerfile", List.of("Dockerfile"), copyAdd, List.of(copyWarning, addWarning)),
                Arguments.of("skipped", List.of("Dockerfile"), "# check=skip=CopyIgnoredFile\n" + copyAdd, List.of()),
                Arguments.of("COPY --from a stage", List.of("foobar"), "\nFROM scratch AS base\nCOPY Dockerfile"
                        + " /foobar\nADD Dockerfile /windy\n\nFROM base\nCOPY --from=base /foobar /Dockerfile\n",
                        List.of()),
                Arguments.of("patterns with exclusions", List.of("**", "!Dockerfile"),
                        "\nFROM scratch\nCOPY ./Dockerfile .\n", List.of()),
                Arguments.of("context root with exclusions", List.of("**", "!Dockerfile"),
                        "\nFROM scratch\nCOPY . .\n\t", List.of()),
                Arguments.of("context root, dotfiles ignored", List.of(".*"), "\nFROM scratch\nCOPY . .\n", List.of()),
                Arguments.of("context root, everything ignored", List.of("*"), "\nFROM scratch\nCOPY . .\n",
                        List.of("CopyIgnoredFile:3:Attempting to Copy file \".\" that is excluded by .dockerignore")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ignoredCases")
    void copyOfAnIgnoredFileIsReported(String name, List<String> patterns, String dockerfile, List<String> expected)
            throws DockerfileException {
        BuildPlan plan = new Planner(FixedResolver.anyImage()).withDockerIgnore(patterns).plan(
                DockerfileReader.read(DockerfileParser.parse(dockerfile)), Plans.request());
        assertEquals(sorted(expected), sorted(plan.warnings().stream().flatMap(w -> w.check().stream())
                .map(BuildChecksTest::text).toList()));
    }

    @Test
    void errorTrueFailsTheBuildWithBuildKitsMessageAtTheFinding() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("#check=skip=ConsistentInstructionCasing;error=true\nFROM scratch as base\n"
                        + "copy Dockerfile .\n"));
        assertEquals("lint violation found for rules: FromAsCasing", e.reason());
        assertEquals(2, e.range().orElseThrow().start().line());
    }

    @Test
    void buildArgReplacesTheDirectiveAndCanTurnErrorsOn() {
        DockerfileException e = assertThrows(DockerfileException.class,
                () -> Plans.plan("#check=skip=all\nFROM scratch as base\ncopy Dockerfile .\n",
                        Plans.request().withBuildArg("BUILDKIT_DOCKERFILE_CHECK",
                                "skip=ConsistentInstructionCasing;error=true")));
        assertEquals("lint violation found for rules: FromAsCasing", e.reason());
    }

    @Test
    void unreadableCheckOptionsFailTheBuild() {
        DockerfileException directive = assertThrows(DockerfileException.class,
                () -> Plans.plan("# check=skip\nFROM scratch\n"));
        assertEquals("failed to parse check options: invalid check option \"skip\"", directive.reason());
        DockerfileException arg = assertThrows(DockerfileException.class,
                () -> Plans.plan("FROM scratch\n", Plans.request().withBuildArg("BUILDKIT_DOCKERFILE_CHECK",
                        "error=maybe")));
        assertEquals("failed to parse build-arg:BUILDKIT_DOCKERFILE_CHECK: failed to parse check option"
                + " \"error=maybe\": strconv.ParseBool: parsing \"maybe\": invalid syntax", arg.reason());
    }

    @Test
    void checkWithoutTargetLooksAtEveryStage() {
        CheckResult result = check("\nFROM scratch AS first\nCOPY $foo .\n\nFROM scratch AS second\nCOPY $bar .\n",
                Plans.request());
        assertEquals(List.of("UndefinedVar:3:Usage of undefined variable '$foo'",
                "UndefinedVar:6:Usage of undefined variable '$bar'"), sorted(result.warnings().stream()
                .map(BuildChecksTest::text).toList()));
        assertTrue(result.error().isEmpty());

        CheckResult legacy = check("\nFROM scratch AS a\n\nFROM a AS b\nENV testkey value\nLABEL key value\n\n"
                + "FROM a AS c\n", Plans.request());
        assertEquals(List.of(
                "LegacyKeyValueFormat:5:\"ENV key=value\" should be used instead of legacy \"ENV key value\" format",
                "LegacyKeyValueFormat:6:\"LABEL key=value\" should be used instead of legacy \"LABEL key value\""
                        + " format"), sorted(legacy.warnings().stream().map(BuildChecksTest::text).toList()));
    }

    @Test
    void checkKeepsTheFindingsMadeBeforeAnError() {
        CheckResult result = check("\nFROM --platform=$BULIDPLATFORM scratch\nCOPY Dockerfile .\n", Plans.request());
        assertEquals(List.of("UndefinedArgInFrom:2:FROM argument 'BULIDPLATFORM' is not declared"
                + " (did you mean BUILDPLATFORM?)"), result.warnings().stream().map(BuildChecksTest::text).toList());
        assertEquals("empty platform value from expression $BULIDPLATFORM", result.error().orElseThrow().reason());

        CheckResult misspelt = check("\nARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox\n"
                + "COPY Dockerfile .\n\t", Plans.request());
        assertEquals(List.of("UndefinedArgInFrom:4:FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)"),
                misspelt.warnings().stream().map(BuildChecksTest::text).toList());
        assertTrue(misspelt.error().isPresent());
    }

    @Test
    void warningsBeforeAParseErrorAreStillFoundByTheParserFirst() {
        // BuildKit reports StageNameCasing and MaintainerDeprecated before "unknown instruction: BADCMD"; wharf's
        // reader rejects the file before planning, so the parse error alone is what a build shows.
        assertThrows(DockerfileException.class, () -> Plans.plan(
                "\nFROM scratch AS BadStageName\nMAINTAINER me@example.org\nBADCMD\n"));
    }

    @Test
    void shortTextIsBuildKitsLintFormatShort() throws DockerfileException {
        BuildPlan plan = Plans.plan("\nFROM scratch\nCMD mycommand\n");
        assertEquals("JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related"
                + " to OS signals (line 3)", plan.warnings().get(0).check().orElseThrow().shortText());
        assertEquals("https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
                plan.warnings().get(0).check().orElseThrow().rule().url());
    }

    private static CheckResult check(String dockerfile, PlanRequest request) {
        try {
            return new Planner(FixedResolver.anyImage()).check(
                    DockerfileReader.read(DockerfileParser.parse(dockerfile)), request);
        } catch (DockerfileException e) {
            throw new AssertionError(e);
        }
    }

    private static String text(CheckWarning w) {
        return w.rule().ruleName() + ":" + w.line() + ":" + w.detail();
    }

    /** Sorted as checkLinterWarnings sorts: by line, then detail. */
    private static List<String> sorted(List<String> warnings) {
        List<String> out = new ArrayList<>(warnings);
        out.sort(Comparator.comparingInt((String s) -> Integer.parseInt(s.split(":", 3)[1]))
                .thenComparing(s -> s.split(":", 3)[2]));
        return out;
    }
}
