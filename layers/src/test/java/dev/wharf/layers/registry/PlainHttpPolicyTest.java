package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlainHttpPolicyTest {
    @Test
    void allows_loopbackLiteralsAndNamedInsecureRegistriesOnly() {
        PlainHttpPolicy policy = new PlainHttpPolicy(Set.of("registry.lan:5000"));
        assertTrue(policy.allows("localhost:5000"));
        assertTrue(policy.allows("localhost"));
        assertTrue(policy.allows("127.0.0.1:5000"));
        assertTrue(policy.allows("127.1.2.3"));
        assertTrue(policy.allows("[::1]:5000"));
        assertTrue(policy.allows("registry.lan:5000"));
        assertFalse(policy.allows("registry.lan"), "the port is part of the name");
        assertFalse(policy.allows("10.0.0.1:5000"));
        assertFalse(policy.allows("docker.io"));
        assertFalse(policy.allows("localhost.example.com"), "names are never resolved to decide");
        assertFalse(policy.allows(null));
    }

    @Test
    void apiBase_usesHttpsUnlessPlainHttpIsAllowed() throws Exception {
        PlainHttpPolicy policy = new PlainHttpPolicy(Set.of("registry.lan:5000"));
        HttpTransport http = new SocketTransport(Duration.ofSeconds(5));
        RegistryCaller caller = new RegistryCaller(http, new RegistryAuthenticator(http,
                CredentialProvider.anonymous(), policy, Clock.systemUTC(), "test"), RetryPolicy.defaults(), policy,
                "test");
        assertEquals(URI.create("https://registry-1.docker.io/v2/"),
                caller.apiBase(ImageReference.parse("alpine")));
        assertEquals(URI.create("http://registry.lan:5000/v2/"),
                caller.apiBase(ImageReference.parse("registry.lan:5000/app")));
        assertEquals(URI.create("http://localhost:5000/v2/"),
                caller.apiBase(ImageReference.parse("localhost:5000/app")));
        assertEquals(URI.create("https://ghcr.io/v2/"), caller.apiBase(ImageReference.parse("ghcr.io/o/app")));
    }
}
