package dev.wharf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.RegistrySettings;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.junit.jupiter.api.Test;

/** settings.xml servers become registry logins keyed by their id (the registry host), as Jib reads them. */
class MavenRegistryLoginsTest {
    private static Server server(String id, String username, String password) {
        Server server = new Server();
        server.setId(id);
        server.setUsername(username);
        server.setPassword(password);
        return server;
    }

    @Test
    void aServerWithUserAndPassword_isALoginForTheRegistryItsIdNames() {
        Settings settings = new Settings();
        settings.addServer(server("registry.example.com:5000", "ci", "s3cret"));
        settings.addServer(server("central", "deployer", null));
        RegistrySettings out = MavenRegistryLogins.settings(RegistrySettings.anonymous(), settings, null);
        assertEquals(Map.of("registry.example.com:5000", new RegistrySettings.Login("ci", "s3cret")), out.logins());
        assertFalse(out.logins().toString().contains("s3cret"), "passwords never reach a log line");
    }

    @Test
    void noSettings_keepTheDefaults() {
        RegistrySettings defaults = RegistrySettings.anonymous().withInsecureRegistry("lab:5000");
        assertEquals(defaults, MavenRegistryLogins.settings(defaults, null, null));
    }

    @Test
    void pushWithoutTags_failsSayingWhatToSet() {
        PushMojo mojo = new PushMojo();
        mojo.tags = List.of(" ");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("-Dwharf.tags"), e.getMessage());
    }
}
