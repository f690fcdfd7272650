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
        assertRejected(125, "invalid argument \"abc\" for \"--cpus\" flag: strconv.ParseFloat: parsing \"abc\": "
                + "invalid syntax\nSee 'wharf build --help'.\n", wharf("build", "--cpus", "abc", "."));
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
