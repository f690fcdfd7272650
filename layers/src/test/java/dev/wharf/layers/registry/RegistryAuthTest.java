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
import java.util.List;
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
                // With stored credentials the token server's OAuth2 endpoint is asked first, as BuildKit's auth
                // provider does (containerd's FetchTokenWithOAuth): it served them all, so no GET was made.
                for (TestTokenServer.Request request : tokens.requests()) {
                    assertEquals("POST", request.method(), tokens.requests().toString());
                    assertEquals("application/x-www-form-urlencoded; charset=utf-8", request.contentType());
                    assertEquals(java.util.Set.of("client_id", "grant_type", "password", "scope", "service",
                            "username"), request.form().keySet(), request.form().keySet().toString());
                    assertEquals("password", request.form().get("grant_type"));
                    assertEquals(USER, request.form().get("username"));
                    assertEquals(PASSWORD, request.form().get("password"));
                    assertEquals(TestTokenServer.SERVICE, request.form().get("service"));
                    assertEquals(null, request.authorization(), "the password travels in the form only");
                }
                assertTrue(tokens.requests().stream().anyMatch(r -> List.of(r.form().get("scope").split(" "))
                        .contains("repository:team/app:pull,push")), tokens.requests().toString());
            }
        }

        @org.junit.jupiter.params.ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(ints = {404, 405, 401})
        void aTokenServerWithoutTheOAuthEndpoint_isAskedWithBasicGet(int refused) throws Exception {
            try (TestTokenServer tokens = TestTokenServer.start(dir, USER, PASSWORD);
                    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), new LocalRegistry.Token(
                            tokens.realm(), TestTokenServer.SERVICE, TestTokenServer.ISSUER,
                            tokens.certificateBundle()))) {
                LocalStore from = LocalStore.open(dir.resolve("from"));
                TestImages.Written image = TestImages.write(from, "fallback.txt");
                ImageReference ref = registry.reference("team/app:1");
                tokens.refusePost(refused);

                new ImagePusher(client(alice(registry, PASSWORD))).push(from, image.manifest(), ref,
                        Optional.empty());
                ManifestResponse pulled = client(alice(registry, PASSWORD)).pullManifest(ref);

                assertEquals(image.manifest().digest(), pulled.digest());
                // BuildKit's provider: POST first; 404, 401 and (to a user name) 405 fall back to GET with Basic.
                java.util.List<TestTokenServer.Request> requests = tokens.requests();
                assertEquals("POST", requests.get(0).method(), requests.toString());
                String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                        .getBytes(StandardCharsets.UTF_8));
                TestTokenServer.Request get = requests.get(1);
                assertEquals("GET", get.method(), requests.toString());
                assertEquals(basic, get.authorization());
                // containerd's url.Values encoding: keys sorted (every scope, then the service), the scopes' colons
                // and commas escaped.
                assertTrue(get.query().matches("(scope=[^&]+&)+service=" + TestTokenServer.SERVICE), get.query());
                assertTrue(get.query().contains("scope=repository%3Ateam%2Fapp%3Apull%2Cpush"), get.query());
                assertEquals(requests.size() / 2, requests.stream().filter(r -> r.method().equals("GET")).count(),
                        "each POST refused, each followed by one GET: " + requests);
            }
        }

        @Test
        void aPostRefusedOtherwise_failsInBuildKitsWords_withoutAGet() throws Exception {
            try (TestTokenServer tokens = TestTokenServer.start(dir, USER, PASSWORD);
                    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), new LocalRegistry.Token(
                            tokens.realm(), TestTokenServer.SERVICE, TestTokenServer.ISSUER,
                            tokens.certificateBundle()))) {
                tokens.refusePost(403);
                ImageReference ref = registry.reference("team/app:1");

                RegistryException refused = assertThrows(RegistryException.class,
                        () -> client(alice(registry, PASSWORD)).pullManifest(ref));

                assertEquals(403, refused.statusCode());
                assertTrue(refused.getMessage().contains("token server " + tokens.realm()
                        + " rejected the credentials for " + registry.host()), refused.getMessage());
                assertEquals(Optional.of("failed to authorize: failed to fetch oauth token: unexpected status from "
                        + "POST request to " + tokens.realm() + ": 403 Forbidden"), refused.goReason());
                assertTrue(tokens.requests().stream().allMatch(r -> r.method().equals("POST")),
                        tokens.requests().toString());
            }
        }

        @Test
        void anIdentityToken_isExchangedWithTheRefreshTokenGrant() throws Exception {
            try (TestTokenServer tokens = TestTokenServer.start(dir, USER, PASSWORD);
                    LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), new LocalRegistry.Token(
                            tokens.realm(), TestTokenServer.SERVICE, TestTokenServer.ISSUER,
                            tokens.certificateBundle()))) {
                LocalStore from = LocalStore.open(dir.resolve("from"));
                TestImages.Written image = TestImages.write(from, "identity.txt");
                ImageReference ref = registry.reference("team/app:1");
                RegistryClient client = client(CredentialProvider.of(Map.of(registry.host(),
                        Credential.identityToken(TestTokenServer.REFRESH_TOKEN))));

                new ImagePusher(client).push(from, image.manifest(), ref, Optional.empty());

                TestTokenServer.Request first = tokens.requests().get(0);
                assertEquals("POST", first.method());
                assertEquals(java.util.Set.of("client_id", "grant_type", "refresh_token", "scope", "service"),
                        first.form().keySet());
                assertEquals("refresh_token", first.form().get("grant_type"));
                assertEquals(TestTokenServer.REFRESH_TOKEN, first.form().get("refresh_token"));

                // 405 falls back only for a user name (the provider's rule): an identity token's refusal stands.
                tokens.refusePost(405);
                RegistryException refused = assertThrows(RegistryException.class, () -> client(CredentialProvider.of(
                        Map.of(registry.host(), Credential.identityToken(TestTokenServer.REFRESH_TOKEN))))
                        .pullManifest(ref));
                assertEquals(405, refused.statusCode(), refused.getMessage());
                assertTrue(tokens.requests().stream().noneMatch(r -> r.method().equals("GET")),
                        tokens.requests().toString());
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
                // Anonymous tokens are fetched with GET alone.
                assertTrue(tokens.requests().stream().allMatch(r -> r.method().equals("GET")
                        && r.authorization() == null), tokens.requests().toString());

                int before = tokens.requests().size();
                RegistryException wrong = assertThrows(RegistryException.class,
                        () -> client(alice(registry, "wrong")).pullManifest(ref));
                assertTrue(wrong.getMessage().contains("token server " + tokens.realm()
                        + " rejected the credentials for " + registry.host()), wrong.getMessage());
                // The OAuth2 endpoint's 401 sends the provider on to the Basic GET, which refuses them too.
                java.util.List<String> methods = tokens.requests().subList(before, tokens.requests().size()).stream()
                        .map(TestTokenServer.Request::method).toList();
                assertEquals(java.util.List.of("POST", "GET"), methods);
                assertTrue(wrong.goReason().orElseThrow().startsWith("failed to authorize: failed to fetch oauth "
                        + "token: unexpected status from GET request to " + tokens.realm() + "?scope="),
                        wrong.goReason().toString());
            }
        }
    }
}
