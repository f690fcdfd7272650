package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildContext;
import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.testing.GitHttpServer;
import dev.wharf.builder.testing.HostRequirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Private git repositories: {@code ADD <git url>} and a git build context authenticate with the
 * {@code GIT_AUTH_TOKEN} / {@code GIT_AUTH_HEADER} build secrets (optionally {@code .<host>}), as BuildKit's git
 * source does, against a real smart-HTTP git server that refuses requests without the expected header.
 */
class GitAuthSecretsTest {

    @TempDir
    Path temp;

    BuildEngine engine;
    GitHttpServer git;
    String host;

    @BeforeEach
    void setUp() throws Exception {
        HostRequirements.requireRoot();
        engine = BuildEngine.create(EngineOptions.of(temp.resolve("store")));
        git = GitHttpServer.start(temp.resolve("git"));
        Path tree = Files.createDirectories(temp.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "private");
        Files.writeString(tree.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /from-context.txt\n");
        git.publish("repo", tree);
        host = git.root().substring("http://".length());
    }

    @AfterEach
    void tearDown() {
        if (git != null) {
            git.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private static String basicToken(String token) {
        return "basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token)
                .getBytes(StandardCharsets.UTF_8));
    }

    private Path secret(String name, String value) throws Exception {
        return Files.writeString(temp.resolve(name), value);
    }

    private Path build(BuildRequest.Builder request, Map<String, Path> secrets) throws Exception {
        Path out = Files.createTempDirectory(temp, "out-");
        secrets.forEach(request::secret);
        engine.build(request.noCache(true).output(new BuildOutput("local", Optional.of(out))).build())
                .get(2, TimeUnit.MINUTES);
        return out;
    }

    private BuildRequest.Builder addFromGit() throws Exception {
        Path ctx = Files.createDirectories(temp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD " + git.url("repo") + "#v1 /src/\n");
        return BuildRequest.builder(ctx);
    }

    @Test
    void addFromAPrivateRepository_usesTheGitAuthTokenSecret_asAnXAccessTokenBasicHeader() throws Exception {
        git.requireAuthorization(basicToken("s3cret"));
        Path out = build(addFromGit(), Map.of("GIT_AUTH_TOKEN", secret("t", "s3cret")));
        assertEquals("private", Files.readString(out.resolve("src/a.txt")));
    }

    @Test
    void aHostScopedHeaderSecret_comesFirst_andIsSentAsItIs() throws Exception {
        git.requireAuthorization("Bearer scoped");
        Path out = build(addFromGit(), Map.of("GIT_AUTH_HEADER." + host, secret("h", "Bearer scoped"),
                "GIT_AUTH_TOKEN", secret("t", "unscoped")));
        assertEquals("private", Files.readString(out.resolve("src/a.txt")));
    }

    @Test
    void aGitBuildContext_authenticatesToo() throws Exception {
        git.requireAuthorization(basicToken("ctx"));
        Path out = build(BuildRequest.builder(new BuildContext.Git(git.url("repo") + "#v1")),
                Map.of("GIT_AUTH_TOKEN." + host, secret("t", "ctx")));
        assertEquals("private", Files.readString(out.resolve("from-context.txt")));
    }

    @Test
    void aGitNamedContext_authenticatesToo() throws Exception {
        git.requireAuthorization(basicToken("named"));
        Path ctx = Files.createDirectories(temp.resolve("ctx-named"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY --from=lib a.txt /lib.txt\n");
        Path out = build(BuildRequest.builder(ctx).namedContext("lib", git.url("repo") + "#v1"),
                Map.of("GIT_AUTH_TOKEN", secret("t", "named")));
        assertEquals("private", Files.readString(out.resolve("lib.txt")));
    }

    @Test
    void withoutTheSecret_thePrivateRepositoryIsRefused() throws Exception {
        git.requireAuthorization(basicToken("s3cret"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> build(addFromGit(), Map.of()));
        BuildFailedException failed = assertInstanceOf(BuildFailedException.class, e.getCause());
        assertTrue(failed.getMessage().contains("git"), failed.getMessage());
    }

    @Test
    void anScpLikeAddress_getsNoHeader_andTheSecretNeverShowsInToString() throws Exception {
        assertEquals(Optional.empty(), GitAuthSecrets.authorization("git@github.com:o/r.git",
                Map.of("GIT_AUTH_HEADER.github.com", secret("x", "h"))));
        assertEquals(Optional.of("h"), GitAuthSecrets.authorization("https://user:pw@github.com/o/r.git",
                Map.of("GIT_AUTH_HEADER.github.com", secret("y", "h"))));
        dev.wharf.context.sources.GitContextSource source = new dev.wharf.context.sources.GitContextSource(
                dev.wharf.context.sources.GitRemote.parse(git.url("repo")), temp, false, "git",
                Optional.of("Bearer topsecret"));
        assertTrue(!source.toString().contains("topsecret"), source.toString());
    }
}
