package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.CliHarness.Outcome;
import org.junit.jupiter.api.Test;

/**
 * Command lines wharf's parser rejects, end to end through the CLI's entry point, against what the docker twins
 * printed for the same mistakes: {@code docker buildx build} (buildx 0.13.1) for {@code wharf build}, the docker CLI
 * (28.2) for the others. The texts are theirs with {@code wharf} for {@code docker} and wharf's own use line
 * ({@code docker rmi [OPTIONS] IMAGE [IMAGE...]} is {@code wharf rmi [OPTIONS] IMAGE [IMAGE...]}); nothing goes to
 * standard output.
 */
class CommandLineErrorsCommandTest {

    private static void assertRejected(int exitCode, String err, Outcome outcome) {
        assertEquals(err, outcome.err());
        assertEquals(exitCode, outcome.exitCode(), outcome.err());
        assertEquals("", outcome.out());
    }

    @Test
    void build_unknownFlag_isBuildxsWords_andExitCode125() {
        // docker buildx build --bogus . / --bogus=1 / -z
        assertRejected(125, "unknown flag: --bogus\nSee 'wharf build --help'.\n", wharf("build", "--bogus", "."));
        assertRejected(125, "unknown flag: --bogus\nSee 'wharf build --help'.\n", wharf("build", "--bogus=1", "."));
        assertRejected(125, "unknown shorthand flag: 'z' in -z\nSee 'wharf build --help'.\n",
                wharf("build", "-z", "."));
    }

    @Test
    void anUnknownFlag_winsOverAMissingOrStrayArgument_asCobraParsesFlagsFirst() {
        // docker buildx build --bogus (no context) / docker history a b --bogus: the flag error, exit 125.
        assertRejected(125, "unknown flag: --bogus\nSee 'wharf build --help'.\n", wharf("build", "--bogus"));
        Outcome history = wharf("history", "a", "b", "--bogus");
        assertEquals(125, history.exitCode(), history.err());
        assertEquals("unknown flag: --bogus", history.err().lines().findFirst().orElse(""));
    }

    @Test
    void booleanFlags_takeGosSpellings_only() {
        // pflag reads --no-cache=1 as true (strconv.ParseBool); tRuE is no Go boolean.
        Outcome one = wharf("build", "--no-cache=1");
        assertEquals(1, one.exitCode(), one.err());
        assertEquals("ERROR: \"wharf build\" requires exactly 1 argument.", one.err().lines().findFirst().orElse(""));
        assertRejected(125, "invalid argument \"tRuE\" for \"--no-cache\" flag: strconv.ParseBool: parsing "
                + "\"tRuE\": invalid syntax\nSee 'wharf build --help'.\n", wharf("build", "--no-cache=tRuE", "."));
    }

    @Test
    void build_shorthandGroups_areReadLetterByLetter_asPflag() {
        // docker buildx build . -qf / -qz / -qzf / -zq: pflag names what is left of the group at the letter.
        assertRejected(125, "flag needs an argument: 'f' in -f\nSee 'wharf build --help'.\n",
                wharf("build", ".", "-qf"));
        assertRejected(125, "unknown shorthand flag: 'z' in -z\nSee 'wharf build --help'.\n",
                wharf("build", "-qz", "."));
        assertRejected(125, "unknown shorthand flag: 'z' in -zf\nSee 'wharf build --help'.\n",
                wharf("build", "-qzf", "."));
        assertRejected(125, "unknown shorthand flag: 'z' in -zq\nSee 'wharf build --help'.\n",
                wharf("build", "-zq", "."));
    }

    @Test
    void build_typedValues_areRefusedAsPflagParses_beforeArgumentsAndChecks() {
        // What docker buildx build printed (--ulimit, --shm-size, --cpu-quota) and docker's --memory/--cpus types.
        String see = "\nSee 'wharf build --help'.\n";
        assertRejected(125, "invalid argument \"NOFILE=1\" for \"--ulimit\" flag: invalid ulimit type: NOFILE" + see,
                wharf("build", "--ulimit", "NOFILE=1", "."));
        assertRejected(125, "invalid argument \"-1\" for \"--shm-size\" flag: invalid size: '-1'" + see,
                wharf("build", "--shm-size", "-1", "."));
        assertRejected(125, "invalid argument \"x\" for \"--cpu-quota\" flag: strconv.ParseInt: parsing \"x\": "
                + "invalid syntax" + see, wharf("build", "--cpu-quota", "x", "."));
        assertRejected(125, "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'" + see,
                wharf("build", "-m", "lots", "."));
        // pflag stops at the first mistake in its order: before cobra counts the arguments, and an unknown flag
        // only when it comes first.
        assertRejected(125, "invalid argument \"x=1\" for \"--ulimit\" flag: invalid ulimit type: x" + see,
                wharf("build", "--ulimit", "x=1"));
        assertRejected(125, "invalid argument \"x=1\" for \"--ulimit\" flag: invalid ulimit type: x" + see,
                wharf("build", ".", "--ulimit", "x=1", "--bogus"));
        assertRejected(125, "unknown flag: --bogus" + see, wharf("build", "--bogus", "--ulimit", "x=1", "."));
        // An earlier valid value of the refused flag does not stop the scan: the unknown flag after it comes first.
        assertRejected(125, "unknown flag: --bogus" + see, wharf("build", "--memory", "1g", "--bogus", "--memory",
                "lots", "."));
        assertRejected(125, "invalid argument \"x\" for \"--shm-size\" flag: invalid size: 'x'" + see,
                wharf("build", "--shm-size", "x", "--ulimit", "x=1", "."));
    }

    @Test
    void build_checksOfSeveralBadValues_reportTheOneBuildxReports() {
        // docker buildx build (0.13.1) with two mistakes each: its flag reading (toControllerOptions), then the
        // progress mode, then its build's platforms, secrets, agents, annotations and entitlements.
        String[][] cases = {
            {"invalid progress mode bogus", "--progress", "bogus", "--secret", "src=x"},
            {"invalid field 'bad' must be a key=value pair", "--progress", "bogus", "--secret", "bad"},
            {"invalid progress mode bogus", "--progress", "bogus", "--platform", ","},
            {"\"\" is an invalid OS component of \"\": OSAndVersion specifier component must match "
                + "\"^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.-]*)\\\\))?$\": invalid argument",
                "--platform", ",", "--secret", "id=a,src=/nope"},
            {"failed to stat /nope: stat /nope: no such file or directory", "--secret", "id=a,src=/nope", "--ssh",
                "a=/nope"},
            {"stat /nope: no such file or directory", "--ssh", "a=/nope", "--annotation", "=x"},
            {"invalid annotation format, expected <type>:<key>=<value>, got \"=x\"", "--annotation", "=x",
                "--allow", "bogus"},
            {"unknown entitlement bogus", "--allow", "bogus", "--network", "bogus"},
            {"invalid key-value pair \"=y\": empty key", "--label", "=x", "--build-arg", "=y"},
            {"invalid key-value pair \"=a\": empty key", "--build-context", "=x", "--label", "=a"},
            {"progress=bogus and quiet cannot be used together", "--progress", "bogus", "-q"},
            {"invalid progress mode bogus", "--cache-to", "type=bogus", "--progress", "bogus"},
            {"type required form> \"=x\"", "--cache-from", "=x", "--progress", "bogus"},
            {"--no-cache and --no-cache-filter cannot currently be used together", "--no-cache", "--no-cache-filter",
                "a", "--platform", ","},
            {"secret missing ID", "--secret", "src=./token"},
            {"secret missing ID", "--secret", "id=,src=token"},
        };
        for (String[] each : cases) {
            String[] args = new String[each.length + 1];
            args[0] = "build";
            System.arraycopy(each, 1, args, 1, each.length - 1);
            args[args.length - 1] = ".";
            assertRejected(1, "ERROR: " + each[0] + "\n", wharf(args));
        }
    }

    @Test
    void build_progressModes_areLowerCase_asBuildxsPrinter() {
        for (String mode : new String[] {"PLAIN", "Plain", "TTY", "Auto"}) {
            assertRejected(1, "ERROR: invalid progress mode " + mode + "\n", wharf("build", "--progress", mode, "."));
        }
    }

    @Test
    void build_flagWithoutItsValue_namesItAsTyped() {
        // docker buildx build --progress=plain --target / -f
        assertRejected(125, "flag needs an argument: --target\nSee 'wharf build --help'.\n",
                wharf("build", "--progress=plain", "--target"));
        assertRejected(125, "flag needs an argument: 'f' in -f\nSee 'wharf build --help'.\n", wharf("build", "-f"));
    }

    @Test
    void aValueTheFlagsTypeCannotHold_isPflagsInvalidArgument() {
        // docker buildx build --no-cache=maybe / --cpu-shares=abc: Go's strconv words, exit code 125.
        assertRejected(125, "invalid argument \"maybe\" for \"--no-cache\" flag: strconv.ParseBool: parsing "
                + "\"maybe\": invalid syntax\nSee 'wharf build --help'.\n", wharf("build", "--no-cache=maybe", "."));
        // wharf's --cpus is docker run's (opts.NanoCPUs, a big.Rat): docker's words.
        assertRejected(125, "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number"
                + "\nSee 'wharf build --help'.\n", wharf("build", "--cpus", "abc", "."));
        assertRejected(125, "invalid argument \"x\" for \"--pids-limit\" flag: strconv.ParseInt: parsing \"x\": "
                + "invalid syntax\nSee 'wharf build --help'.\n", wharf("build", "--pids-limit", "x", "."));
    }

    @Test
    void build_valuesBuildxChecksItself_progressSecretUlimitShmSize() {
        // docker buildx build --progress=bogus: its printer refuses the mode, "ERROR:" and exit 1.
        assertRejected(1, "ERROR: invalid progress mode bogus\n", wharf("build", "--progress", "bogus", "."));
        // --secret is parsed by buildx's build: "ERROR:" and exit 1.
        assertRejected(1, "ERROR: invalid field 'id' must be a key=value pair\n",
                wharf("build", "--progress", "plain", "--secret", "id", "."));
        assertRejected(1, "ERROR: unsupported secret type \"bogus\"\n",
                wharf("build", "--progress", "plain", "--secret", "id=a,type=bogus", "."));
        assertRejected(1, "ERROR: unexpected key 'bogus' in 'bogus=1'\n",
                wharf("build", "--progress", "plain", "--secret", "id=a,bogus=1", "."));
        // -q with another progress mode: buildx's runBuild refuses the pair.
        assertRejected(1, "ERROR: progress=plain and quiet cannot be used together\n",
                wharf("build", "-q", "--progress", "plain", "."));
        // --ulimit and --shm-size are pflag values: "invalid argument", exit 125.
        assertRejected(125, "invalid argument \"bogus=1\" for \"--ulimit\" flag: invalid ulimit type: bogus\n"
                + "See 'wharf build --help'.\n", wharf("build", "--ulimit", "bogus=1", "."));
        assertRejected(125, "invalid argument \"nofile=a\" for \"--ulimit\" flag: strconv.ParseInt: parsing \"a\": "
                + "invalid syntax\nSee 'wharf build --help'.\n", wharf("build", "--ulimit", "nofile=a", "."));
        assertRejected(125, "invalid argument \"1q\" for \"--shm-size\" flag: invalid size: '1q'\n"
                + "See 'wharf build --help'.\n", wharf("build", "--shm-size", "1q", "."));
    }

    @Test
    void build_withoutOrWithTwoContexts_isBuildxsArityError_exitCode1() {
        String expected = """
                ERROR: "wharf build" requires exactly 1 argument.
                See 'wharf build --help'.

                Usage:  wharf build [OPTIONS] CONTEXT

                Build an image from a Dockerfile and a context directory.
                """;
        assertRejected(1, expected, wharf("build"));
        assertRejected(1, expected, wharf("build", "a", "b"));
    }

    @Test
    void otherCommands_flagErrors_repeatTheUseLine_likeTheDockerCli() {
        // docker images --bogus / -z / --format; docker save -o; docker image prune --bogus; docker run --bogus x
        assertRejected(125, "unknown flag: --bogus\n\nUsage:  wharf images [OPTIONS]\n\n"
                + "Run 'wharf images --help' for more information\n", wharf("images", "--bogus"));
        assertRejected(125, "unknown shorthand flag: 'z' in -z\n\nUsage:  wharf images [OPTIONS]\n\n"
                + "Run 'wharf images --help' for more information\n", wharf("images", "-z"));
        assertRejected(125, "flag needs an argument: --format\n\nUsage:  wharf images [OPTIONS]\n\n"
                + "Run 'wharf images --help' for more information\n", wharf("images", "--format"));
        assertRejected(125, "flag needs an argument: 'o' in -o\n\nUsage:  wharf save [OPTIONS] IMAGE [IMAGE...]\n\n"
                + "Run 'wharf save --help' for more information\n", wharf("save", "-o"));
        assertRejected(125, "unknown flag: --bogus\n\nUsage:  wharf prune [OPTIONS]\n\n"
                + "Run 'wharf prune --help' for more information\n", wharf("prune", "--bogus"));
        assertRejected(125, "unknown flag: --bogus\n\nUsage:  wharf run [OPTIONS] IMAGE [CMD...]\n\n"
                + "Run 'wharf run --help' for more information\n", wharf("run", "--bogus", "x"));
        assertRejected(125, "unknown flag: --bogus\n\nUsage:  wharf rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
                + "Run 'wharf rmi --help' for more information\n", wharf("rmi", "--bogus", "x"));
        assertRejected(125, "unknown flag: --bogus\n\nUsage:  wharf load [OPTIONS]\n\n"
                + "Run 'wharf load --help' for more information\n", wharf("load", "--bogus"));
    }

    @Test
    void otherCommands_arityErrors_areTheDockerClisWords_exitCode1() {
        // docker rmi / inspect / run: RequiresMinArgs, the one that says "See".
        assertRejected(1, "wharf: 'wharf rmi' requires at least 1 argument\n\nUsage:  wharf rmi [OPTIONS] IMAGE "
                + "[IMAGE...]\n\nSee 'wharf rmi --help' for more information\n", wharf("rmi"));
        assertRejected(1, "wharf: 'wharf inspect' requires at least 1 argument\n\nUsage:  wharf inspect [OPTIONS] "
                + "IMAGE [IMAGE...]\n\nSee 'wharf inspect --help' for more information\n", wharf("inspect"));
        assertRejected(1, "wharf: 'wharf run' requires at least 1 argument\n\nUsage:  wharf run [OPTIONS] IMAGE "
                + "[CMD...]\n\nSee 'wharf run --help' for more information\n", wharf("run"));
        // docker history / tag: ExactArgs.
        assertRejected(1, "wharf: 'wharf history' requires 1 argument\n\nUsage:  wharf history [OPTIONS] IMAGE\n\n"
                + "Run 'wharf history --help' for more information\n", wharf("history"));
        assertRejected(1, "wharf: 'wharf tag' requires 2 arguments\n\nUsage:  wharf tag [OPTIONS] SOURCE_IMAGE "
                + "TARGET_IMAGE\n\nRun 'wharf tag --help' for more information\n", wharf("tag", "a"));
        // docker load a: NoArgs.
        assertRejected(1, "wharf: 'wharf load' accepts no arguments\n\nUsage:  wharf load [OPTIONS]\n\n"
                + "Run 'wharf load --help' for more information\n", wharf("load", "a"));
    }

    @Test
    void topLevel_unknownCommand_andUnknownFlag() {
        assertRejected(1, "wharf: unknown command: wharf nosuchcmd\n\nRun 'wharf --help' for more information\n",
                wharf("nosuchcmd"));
        assertRejected(125, "unknown flag: --bogus\n\nUsage:  wharf [OPTIONS] COMMAND [ARG...]\n\n"
                + "Run 'wharf --help' for more information\n", wharf("--bogus"));
    }
}
