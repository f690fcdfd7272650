package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildFailedException;
import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.BuildRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ADD <url>} with the {@code HTTP_AUTH_HEADER_<host>} and {@code HTTP_AUTH_TOKEN_<host>} build secrets (the
 * Dockerfile reference's "Secrets" for remote sources), against a real loopback HTTP server through the engine.
 */
class AddUrlAuthSecretsTest extends LoopbackHttpBuildFixture {

    @BeforeEach
    void servePrivateFile() throws Exception {
        Files.writeString(context.resolve("Dockerfile"),
                "FROM scratch\nADD " + http.url("/private/f.txt") + " /f.txt\n");
        http.serve("/private/f.txt", "secret content".getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private Path secret(String name, String value) throws Exception {
        return Files.writeString(temp.resolve(name), value);
    }

    private Path build(Map<String, Path> secrets) throws Exception {
        Path out = Files.createTempDirectory(temp, "out-");
        BuildRequest.Builder request = BuildRequest.builder(context).noCache(true)
                .output(new BuildOutput("local", Optional.of(out)));
        secrets.forEach(request::secret);
        engine.build(request.build()).get(2, TimeUnit.MINUTES);
        return out;
    }

    @Test
    void aHeaderSecretForTheHost_isSentAsTheWholeAuthorizationValue() throws Exception {
        Path out = build(Map.of("HTTP_AUTH_HEADER_127.0.0.1", secret("h", "Basic dXNlcjpwYXNz")));
        assertEquals("secret content", Files.readString(out.resolve("f.txt")));
        assertEquals(List.of("Basic dXNlcjpwYXNz"), http.authorizations());
    }

    @Test
    void aTokenSecret_isABearerToken_andWinsOverAHeaderSecret() throws Exception {
        build(Map.of("HTTP_AUTH_TOKEN_127.0.0.1", secret("t", "tok123")));
        build(Map.of("HTTP_AUTH_TOKEN_127.0.0.1", secret("t2", "tok456"),
                "HTTP_AUTH_HEADER_127.0.0.1", secret("h2", "Basic eA==")));
        assertEquals(List.of("Bearer tok123", "Bearer tok456"), http.authorizations());
    }

    @Test
    void noSecret_orOneForAnotherHost_sendsNoAuthorization() throws Exception {
        build(Map.of());
        build(Map.of("HTTP_AUTH_TOKEN_example.com", secret("t", "x"), "other", secret("o", "y")));
        assertEquals(List.of("", ""), http.authorizations());
    }

    @Test
    void aSecretWithANewline_failsTheStep_asGosTransportRefusesTheHeader() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> build(Map.of("HTTP_AUTH_TOKEN_127.0.0.1", secret("t", "tok\n"))));
        BuildFailedException failed = assertInstanceOf(BuildFailedException.class, e.getCause());
        assertTrue(failed.getMessage().contains("net/http: invalid header field value for \"Authorization\""),
                failed.getMessage());
        assertTrue(http.authorizations().isEmpty());
    }

    @Test
    void aRedirectToAnotherHost_doesNotCarryTheHeader_asGosClientDropsIt() throws Exception {
        String elsewhere = http.url("/private/f.txt").replace("127.0.0.1", "localhost");
        http.redirect("/moved", elsewhere);
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nADD " + http.url("/moved") + " /f.txt\n");
        Path out = build(Map.of("HTTP_AUTH_TOKEN_127.0.0.1", secret("t", "tok")));
        assertEquals("secret content", Files.readString(out.resolve("f.txt")));
        assertEquals(List.of("Bearer tok", ""), http.authorizations());

        http.redirect("/same", http.url("/private/f.txt"));
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nADD " + http.url("/same") + " /f.txt\n");
        build(Map.of("HTTP_AUTH_TOKEN_127.0.0.1", secret("t2", "tok2")));
        assertEquals(List.of("Bearer tok", "", "Bearer tok2", "Bearer tok2"), http.authorizations());
    }

    @Test
    void aUrlBuildContext_andAUrlNamedContext_sendTheSecretToo() throws Exception {
        // The context is a tar the server holds, made with tar(1) from a directory with only a Dockerfile.
        Path dir = Files.createDirectories(temp.resolve("url-ctx"));
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nCOPY --from=named context /named.txt\n");
        Path tarFile = temp.resolve("ctx.tar");
        Process tar = new ProcessBuilder("tar", "-cf", tarFile.toString(), "-C", dir.toString(), "Dockerfile")
                .redirectErrorStream(true).start();
        assertEquals(0, tar.waitFor(), () -> "tar failed");
        http.serve("/ctx.tar", Files.readAllBytes(tarFile), Map.of());
        http.serve("/named/f.txt", "named file".getBytes(StandardCharsets.UTF_8), Map.of());
        Path out = Files.createTempDirectory(temp, "out-");
        engine.build(BuildRequest.builder(new dev.wharf.builder.api.BuildContext.Url(http.url("/ctx.tar")))
                .namedContext("named", http.url("/named/f.txt"))
                .secret("HTTP_AUTH_HEADER_127.0.0.1", secret("h", "Basic bmFtZWQ="))
                .output(new BuildOutput("local", Optional.of(out))).build()).get(2, TimeUnit.MINUTES);
        assertEquals("named file", Files.readString(out.resolve("named.txt")));
        assertEquals(List.of("Basic bmFtZWQ=", "Basic bmFtZWQ="), http.authorizations());
    }

    @Test
    void hostname_isGosUrlHostname() {
        assertEquals(Optional.of("Example.COM"), HttpAuthSecrets.hostname("https://Example.COM:8443/a"));
        assertEquals(Optional.of("::1"), HttpAuthSecrets.hostname("http://[::1]:80/x"));
        assertEquals(Optional.empty(), HttpAuthSecrets.hostname("not a url"));
    }
}
