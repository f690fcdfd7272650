package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.cli.CliHarness.Outcome;
import dev.wharf.layers.registry.LocalRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code wharf build} prints when a source of the build cannot be had (a base or {@code --from} image, an ADD's
 * URL or git repository) or BuildKit refuses a value, against {@code docker buildx build --progress=plain} (buildx
 * 0.13.1 on dockerd 26's BuildKit) for the same input: exit code 1, whether the Dockerfile lines are printed, and
 * the {@code ERROR:} line, whose tail is Go's {@code net/http} error where wharf's HTTP clients see the cause.
 *
 * <p>Where wharf's words must differ they are wharf's own facts: the URL it sent (plain HTTP to a loopback registry,
 * as standalone BuildKit; dockerd's BuildKit tries HTTPS first), the address as written, no DNS server ({@code lookup
 * HOST on 10.0.0.53:53: no such host} in Go). The method is containerd's resolver's: {@code Head} for a manifest.
 */
class BuildSourceErrorsCommandTest {
    /** Never resolves (RFC 2606), on any network, so the lookup fails the same everywhere. */
    private static final String NOWHERE = "wharf-no-such-host.invalid";

    @TempDir
    Path tmp;

    /** The build's standard error from the first source excerpt or {@code ERROR:} line on: what buildx prints last. */
    private static String report(Outcome outcome) {
        List<String> kept = new ArrayList<>();
        boolean started = false;
        for (String line : outcome.err().split("\n", -1)) {
            started |= line.startsWith("Dockerfile:") || line.startsWith("ERROR:");
            if (started) {
                kept.add(line);
            }
        }
        return String.join("\n", kept);
    }

    private Outcome build(String dockerfile, String... extra) throws IOException {
        Path context = Files.createTempDirectory(tmp, "ctx");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(List.of("build", "--root", tmp.resolve("store").toString(),
                "--progress", "plain"));
        args.addAll(List.of(extra));
        args.add(context.toString());
        return wharf(args.toArray(String[]::new));
    }

    private static void assertFails(String expectedReport, Outcome outcome) {
        assertEquals(1, outcome.exitCode(), outcome.err());
        assertEquals(expectedReport, report(outcome), outcome.err());
        assertFalse(outcome.err().contains("Exception") || outcome.err().contains("\tat "),
                "no stack trace: " + outcome.err());
    }

    @Test
    void imagesWhoseRegistryHostDoesNotResolve_failWithGosLookupError() throws IOException {
        assertFails("""
                Dockerfile:1
                --------------------
                   1 | >>> FROM %1$s/foo
                   2 |     RUN true
                   3 |    \s
                --------------------
                ERROR: failed to solve: %1$s/foo: failed to resolve source metadata for %1$s/foo:latest: failed to \
                do request: Head "https://%1$s/v2/foo/manifests/latest": dial tcp: lookup %1$s: no such host
                """.formatted(NOWHERE), build("FROM " + NOWHERE + "/foo\nRUN true\n"));
        // COPY --from an image shows the COPY's lines, as BuildKit gives that image the COPY's location.
        assertFails("""
                Dockerfile:2
                --------------------
                   1 |     FROM scratch
                   2 | >>> COPY --from=%1$s/img /a /a
                   3 |    \s
                --------------------
                ERROR: failed to solve: %1$s/img: failed to resolve source metadata for %1$s/img:latest: failed to \
                do request: Head "https://%1$s/v2/img/manifests/latest": dial tcp: lookup %1$s: no such host
                """.formatted(NOWHERE), build("FROM scratch\nCOPY --from=" + NOWHERE + "/img /a /a\n"));
        // A RUN --mount's image has no location in BuildKit (detectRunMount): the ERROR line alone.
        assertFails("""
                ERROR: failed to solve: %1$s/m: failed to resolve source metadata for %1$s/m:latest: failed to do \
                request: Head "https://%1$s/v2/m/manifests/latest": dial tcp: lookup %1$s: no such host
                """.formatted(NOWHERE), build("FROM scratch\nRUN --mount=from=" + NOWHERE + "/m true\n"));
    }

    @Test
    void aRegistryWithoutTheRepository_isNotFound_andARefusedPortIsGosDialError() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(Files.createDirectories(tmp.resolve("registry")),
                new LocalRegistry.NoAuth())) {
            String image = registry.host() + "/nosuchrepo:latest";
            // containerd's resolver: errdefs.ErrNotFound wrapped with the reference.
            assertFails("""
                    Dockerfile:1
                    --------------------
                       1 | >>> FROM %1$s
                       2 |    \s
                    --------------------
                    ERROR: failed to solve: %1$s: failed to resolve source metadata for %1$s: %1$s: not found
                    """.formatted(image), build("FROM " + image + "\n"));
        }
        String refused = "127.0.0.1:" + LocalRegistry.freePort();
        Outcome unreachable = build("FROM " + refused + "/foo:latest\n");
        assertFails("""
                Dockerfile:1
                --------------------
                   1 | >>> FROM %1$s/foo:latest
                   2 |    \s
                --------------------
                ERROR: failed to solve: %1$s/foo:latest: failed to resolve source metadata for %1$s/foo:latest: \
                failed to do request: Head "https://%1$s/v2/foo/manifests/latest": dial tcp %1$s: connect: connection \
                refused
                """.formatted(refused), unreachable);
        // The vertex's own error is the resolver's alone, as the peer's "#2 ERROR: failed to do request: Head ...",
        // with the https URL dockerd's BuildKit tries first at a loopback registry.
        assertEquals(true, unreachable.err().contains("\n#2 ERROR: failed to do request: Head \"https://" + refused
                + "/v2/foo/manifests/latest\": dial tcp " + refused + ": connect: connection refused\n"),
                unreachable.err());
    }

    @Test
    void addOfAnUnreachableOrMissingUrl_failsToLoadTheCacheKey_withoutDockerfileLines() throws Exception {
        String refused = "127.0.0.1:" + LocalRegistry.freePort();
        Outcome dial = build("FROM scratch\nADD http://" + refused + "/x /x\n");
        assertFails("ERROR: failed to solve: failed to load cache key: Get \"http://" + refused + "/x\": dial tcp "
                + refused + ": connect: connection refused\n", dial);
        // The step's rules come first, as BuildKit's progress closes with the failed vertex.
        assertEquals(true, dial.err().contains(" > [1/1] ADD http://" + refused + "/x /x:\n"), dial.err());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            assertFails("ERROR: failed to solve: failed to load cache key: invalid response status 404\n",
                    build("FROM scratch\nADD http://127.0.0.1:" + server.getAddress().getPort() + "/nosuch /x\n"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void addOfAGitRepositoryOverSsh_needsTheSshDefaultAgent() throws IOException {
        // BuildKit's git source asks the session for the "default" ssh forward before it runs git ls-remote.
        assertFails("ERROR: failed to solve: failed to load cache key: unset ssh forward key default\n",
                build("FROM scratch\nADD git@" + NOWHERE + ":foo/bar.git /src\n"));
        assertFails("ERROR: failed to solve: failed to load cache key: unset ssh forward key default\n",
                build("FROM scratch\nADD ssh://git@" + NOWHERE + "/foo/bar.git /src\n"));
    }

    @Test
    void errorsBuildKitGivesNoLocation_printNoDockerfileLines() throws IOException {
        assertFails("ERROR: failed to solve: invalid stage index 5\n", build("FROM scratch\nCOPY --from=5 /a /a\n"));
        assertFails("ERROR: failed to solve: failed to load LLB: network.host is not allowed\n",
                build("FROM scratch\nRUN --network=host true\n"));
    }

    @Test
    void valuesBuildxOrBuildKitRefuse_areErrorsOfTheBuild_notUsageErrors() throws IOException {
        String dockerfile = "FROM scratch\n";
        assertFails("ERROR: failed to solve: exporter \"bogus\" could not be found\n",
                build(dockerfile, "--output", "type=bogus"));
        assertFails("ERROR: failed to solve: exporter \"bogus\" could not be found\n",
                build(dockerfile, "--output", "dest=" + tmp.resolve("o") + ",type=bogus"));
        assertFails("ERROR: dest is required for local exporter\n", build(dockerfile, "--output", "type=local"));
        assertFails("ERROR: unknown entitlement bogus\n", build(dockerfile, "--allow", "bogus"));
        assertFails("ERROR: invalid host bad\n", build(dockerfile, "--add-host", "bad"));
        String keyFile = tmp.resolve("no-such-key").toString();
        assertFails("ERROR: stat " + keyFile + ": no such file or directory\n",
                build(dockerfile, "--ssh", "default=" + keyFile));
        assertFails("ERROR: network mode \"bogus\" not supported by wharf - use default, host or none\n",
                build(dockerfile, "--network", "bogus"));
        // What pflag parses is a flag error, as buildx reports it.
        Outcome ulimit = build(dockerfile, "--ulimit", "bogus");
        assertEquals(125, ulimit.exitCode(), ulimit.err());
        assertEquals("invalid argument \"bogus\" for \"--ulimit\" flag: invalid ulimit argument: bogus\n"
                + "See 'wharf build --help'.\n", ulimit.err());
    }

    @Test
    void invalidCacheSpecs_failAsBuildxParserBuildKitsClientAndItsDaemonRefuseThem() throws IOException {
        String dockerfile = "FROM scratch\n";
        // BuildKit's daemon has no such exporter (control.go) or importer (llbsolver/bridge.go).
        assertFails("ERROR: failed to solve: unknown cache exporter: \"bogus\"\n",
                build(dockerfile, "--cache-to", "type=bogus"));
        assertFails("ERROR: failed to solve: unknown cache importer: bogus\n",
                build(dockerfile, "--cache-from", "type=bogus"));
        // buildx's ParseCacheEntry, before anything else of the build.
        assertFails("ERROR: type required form> \"ref=x\"\n", build(dockerfile, "--cache-to", "ref=x"));
        assertFails("ERROR: invalid value x\n", build(dockerfile, "--cache-from", "type=registry,x"));
        // BuildKit's client (client/solve.go parseCacheOptions): a type without its required attribute.
        assertFails("ERROR: local cache exporter requires dest\n", build(dockerfile, "--cache-to", "type=local"));
        assertFails("ERROR: registry cache importer requires ref\n",
                build(dockerfile, "--cache-from", "type=registry"));
        // What BuildKit accepts and wharf lacks is wharf's refusal, still an error of the build.
        Outcome gha = build(dockerfile, "--cache-to", "type=gha");
        assertEquals(1, gha.exitCode(), gha.err());
        assertEquals(true, report(gha).startsWith("ERROR: --cache-to type=gha is not supported by wharf"),
                gha.err());
        assertFalse(Files.exists(tmp.resolve("store")), "a refused cache spec left a store behind");
    }

    @Test
    void unusableBuildContexts_failAsBuildxLoadInputsStatsThem() throws IOException {
        String dockerfile = "FROM scratch\n";
        // buildx 0.13 passes only http(s), git, docker-image:// and target: on; anything else is a local path.
        assertFails("ERROR: failed to get build context x: stat bogus://y: no such file or directory\n",
                build(dockerfile, "--build-context", "x=bogus://y"));
        assertFails("ERROR: failed to get build context x: stat no-such-dir: no such file or directory\n",
                build(dockerfile, "--build-context", "x=no-such-dir"));
        // buildx's ParseContextNames.
        assertFails("ERROR: invalid context value: novalue, expected key=value\n",
                build(dockerfile, "--build-context", "novalue"));
        assertFails("ERROR: invalid context name Foo: invalid reference format: repository name (library/Foo) "
                + "must be lowercase\n", build(dockerfile, "--build-context", "Foo=docker-image://alpine"));
    }

    @Test
    void invalidAttestations_failAsBuildxAndBuildKitParseThem_insteadOfBeingIgnored() throws IOException {
        String dockerfile = "FROM scratch\n";
        // buildx's CanonicalizeAttest makes "--sbom bogus" type=sbom,bogus, whose field has no "=".
        assertFails("ERROR: invalid value bogus\n", build(dockerfile, "--sbom", "bogus"));
        assertFails("ERROR: invalid value bogus\n", build(dockerfile, "--provenance", "bogus"));
        assertFails("ERROR: invalid value disabled=maybe: strconv.ParseBool: parsing \"maybe\": invalid syntax\n",
                build(dockerfile, "--attest", "type=sbom,disabled=maybe"));
        assertFails("ERROR: attestation type not specified\n", build(dockerfile, "--attest", "mode=max"));
        assertFails("ERROR: duplicate attestation field sbom\n",
                build(dockerfile, "--attest", "type=sbom", "--attest", "type=sbom,generator=x"));
        // BuildKit's frontend/attestations Validate knows sbom and provenance only.
        assertFails("ERROR: failed to solve: unknown attestation type \"bogus\"\n",
                build(dockerfile, "--attest", "type=bogus"));
        // Disabled, it is not sent, so nothing refuses it; valid values are still only warned about.
        assertEquals(0, build(dockerfile, "--attest", "type=bogus,disabled=true").exitCode());
        Outcome sbom = build(dockerfile, "--sbom", "true");
        assertEquals(0, sbom.exitCode(), sbom.err());
        assertEquals(true, sbom.err().contains("WARNING: wharf makes no provenance or SBOM attestations"), sbom.err());
    }

    @Test
    void shorthandAttestations_takeTheLastValue_andClashWithAnAttestOfTheirType() throws IOException {
        String dockerfile = "FROM scratch\n";
        // buildx's --sbom and --provenance are StringVars: only the last value given is parsed (peer: exit 0).
        Outcome last = build(dockerfile, "--sbom", "bogus", "--sbom", "false");
        assertEquals(0, last.exitCode(), last.err());
        assertFalse(last.err().contains("WARNING: wharf makes no"), last.err());
        assertFails("ERROR: invalid value bogus\n", build(dockerfile, "--provenance", "false", "--provenance",
                "bogus"));
        // commands/build.go hands --attest and the canonicalized shorthands to one ParseAttests (peer: this error).
        assertFails("ERROR: duplicate attestation field sbom\n",
                build(dockerfile, "--attest", "type=sbom", "--sbom", "true"));
        assertFails("ERROR: duplicate attestation field provenance\n",
                build(dockerfile, "--attest", "type=provenance,disabled=true", "--provenance", "false"));
        Outcome both = build(dockerfile, "--sbom", "true", "--provenance", "mode=max");
        assertEquals(0, both.exitCode(), both.err());
        assertEquals(true, both.err().contains("--sbom true is ignored")
                && both.err().contains("--provenance mode=max is ignored"), both.err());
    }

    @Test
    void aMultiPlatformBuildArgThatIsNoBoolean_failsTheSolveAsBuildKitsFrontend() throws IOException {
        // frontend/dockerui/config.go reads BUILDKIT_MULTI_PLATFORM with strconv.ParseBool (peer: this line).
        assertFails("ERROR: failed to solve: invalid boolean value for multi-platform: maybe\n",
                build("FROM scratch\n", "--build-arg", "BUILDKIT_MULTI_PLATFORM=maybe"));
    }

    @Test
    void aPushToARefusedPort_failsAtOnceWithThePushersDialError() throws IOException {
        String refused = "127.0.0.1:" + LocalRegistry.freePort();
        long start = System.nanoTime();
        Outcome pushed = build("FROM scratch\nENV A=1\n", "--output", "type=image,name=" + refused + "/y,push=true");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(1, pushed.exitCode(), pushed.err());
        // As buildx's push with the docker driver (the peer): docker push pings the registry first, and buildx
        // prints that request's error as it is, after the solve, under the push's own vertex; a refused connect is
        // not retried.
        String report = report(pushed);
        assertEquals("ERROR: Get \"http://" + refused + "/v2/\": dial tcp " + refused + ": connect: connection refused\n",
                report);
        String q = java.util.regex.Pattern.quote(refused);
        assertTrue(pushed.err().matches("(?s).*\n#(\\d+) pushing " + q + "/y with docker\n#\\1 ERROR: Get \"http://" + q
                + "/v2/\": dial tcp " + q + ": connect: connection refused\n------\n > pushing " + q
                + "/y with docker:\n------\n.*"), pushed.err());
        // An image without layers: moby's exporter shows no "exporting layers" (the peer, FROM scratch).
        assertTrue(pushed.err().contains("exporting to image\n") && !pushed.err().contains("exporting layers"),
                pushed.err());
        assertTrue(millis < 6_000, "no 7 s of retries: " + millis + " ms");
    }
}
