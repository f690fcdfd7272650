package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Platform;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication against real registries on 127.0.0.1: htpasswd Basic auth, and bearer tokens from a test token
 * server whose signatures the registry verifies ({@code auth: token:} with a {@code rootcertbundle}).
 */
class RegistryAuthTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64");
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-pass";

    @TempDir
    Path dir;

    private static RegistryClient client(CredentialProvider credentials) {
        return RegistryClient.create(RegistryOptions.defaults().withCredentials(credentials)
                .withRetry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20))));
    }

    private static CredentialProvider alice(LocalRegistry registry, String password) {
        return CredentialProvider.of(Map.of(registry.host(), Credential.basic(USER, password)));
    }

    @Nested
    class Htpasswd {
        @Test
        void pushAndPull_withCredentialsFromTheDockerConfigFile() throws Exception {
            try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"),
                    new LocalRegistry.Htpasswd(USER, PASSWORD))) {
                Path config = dir.resolve("docker/config.json");
                Files.createDirectories(config.getParent());
                String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                        .getBytes(StandardCharsets.UTF_8));
                Files.writeString(config, "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + auth + "\"}}}");
                RegistryClient client = client(new DockerConfigCredentials(config, (name, server) -> {
                    throw new AssertionError("no helper is configured");
                }));
                LocalStore from = LocalStore.open(dir.resolve("from"));
                TestImages.Written image = TestImages.write(from, "basic.txt");
                ImageReference ref = registry.reference("private/app:1");

                new ImagePusher(client).push(from, image.manifest(), ref, Optional.empty());
                PullResult pulled = new ImagePuller(client).pull(ref, AMD64, LocalStore.open(dir.resolve("to")),
                        ImageName.parse("app:1"));

                assertEquals(image.manifest().digest(), pulled.manifest().digest());
            }
        }

        @Test
        void wrongPassword_andNoCredentials_failClearly() throws Exception {
            try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"),
                    new LocalRegistry.Htpasswd(USER, PASSWORD))) {
                ImageReference ref = registry.reference("private/app:1");

                RegistryException wrong = assertThrows(RegistryException.class,
                        () -> client(alice(registry, "wrong")).pullManifest(ref));
                assertEquals(401, wrong.statusCode());
                assertTrue(wrong.getMessage().contains(
                        "the registry refused access to private/app with the credentials for " + registry.host()),
                        wrong.getMessage());

                RegistryException anonymous = assertThrows(RegistryException.class,
                        () -> client(CredentialProvider.anonymous()).pullManifest(ref));
                assertTrue(anonymous.getMessage().contains("registry " + registry.host()
                        + " requires a user name and password"), anonymous.getMessage());
            }
        }
    }

    @Nested
    class Token {
        @Test
        void pushAndPull_withBearerTokens_cachedPerScope() throws Exception {
            try (TestTokenServer tokens = TestTokenServer.start(dir, USER, PASSWORD);
                    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), new LocalRegistry.Token(
                            tokens.realm(), TestTokenServer.SERVICE, TestTokenServer.ISSUER,
                            tokens.certificateBundle()))) {
                RegistryClient client = client(alice(registry, PASSWORD));
                LocalStore from = LocalStore.open(dir.resolve("from"));
                TestImages.Written image = TestImages.write(from, "token-a.txt", "token-b.txt");
                ImageReference ref = registry.reference("team/app:1");

                ImagePusher.PushResult pushed = new ImagePusher(client).push(from, image.manifest(), ref,
                        Optional.empty());
                assertEquals(3, pushed.blobsUploaded());
                int afterPush = tokens.issued();
                assertTrue(afterPush >= 1 && afterPush <= 3, "one token per scope, reused: " + afterPush);

                PullResult pulled = new ImagePuller(client).pull(ref, AMD64, LocalStore.open(dir.resolve("to")),
                        ImageName.parse("app:1"));
                assertEquals(image.manifest().digest(), pulled.manifest().digest());
                assertTrue(tokens.issued() - afterPush <= 1, "the pull scope is fetched once");
            }
        }

        @Test
        void anonymousAndWrongPassword_areDenied() throws Exception {
            try (TestTokenServer tokens = TestTokenServer.start(dir, USER, PASSWORD);
                    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), new LocalRegistry.Token(
                            tokens.realm(), TestTokenServer.SERVICE, TestTokenServer.ISSUER,
                            tokens.certificateBundle()))) {
                ImageReference ref = registry.reference("team/app:1");

                RegistryException anonymous = assertThrows(RegistryException.class,
                        () -> client(CredentialProvider.anonymous()).pullManifest(ref));
                assertEquals(401, anonymous.statusCode());

                RegistryException wrong = assertThrows(RegistryException.class,
                        () -> client(alice(registry, "wrong")).pullManifest(ref));
                assertTrue(wrong.getMessage().contains("token server " + tokens.realm()
                        + " rejected the credentials for " + registry.host()), wrong.getMessage());
            }
        }
    }
}
