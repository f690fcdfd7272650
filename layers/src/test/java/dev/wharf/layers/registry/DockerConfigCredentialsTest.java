package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
    @TempDir
    Path dir;

    private Path config(String json) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static final CredentialHelper NO_HELPER = (name, server) -> {
        throw new AssertionError("unexpected helper " + name);
    };

    @Test
    void auths_decodeBase64AndMatchByHostName() throws Exception {
        Path file = config("{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"" + base64("hubuser:hubpass") + "\"},"
                + "\"https://ghcr.io/v2/\":{\"auth\":\"" + base64("gh:tok:en") + "\"},"
                + "\"localhost:5000\":{\"username\":\"u\",\"password\":\"p\"},"
                + "\"example.com\":{\"identitytoken\":\"refresh-me\"}}}");
        DockerConfigCredentials credentials = new DockerConfigCredentials(file, NO_HELPER);

        assertEquals(Optional.of(Credential.basic("hubuser", "hubpass")), credentials.credentialFor("docker.io"));
        assertEquals(Optional.of(Credential.basic("gh", "tok:en")), credentials.credentialFor("ghcr.io"));
        assertEquals(Optional.of(Credential.basic("u", "p")), credentials.credentialFor("localhost:5000"));
        assertEquals(Optional.of(Credential.identityToken("refresh-me")), credentials.credentialFor("example.com"));
        assertEquals(Optional.empty(), credentials.credentialFor("quay.io"));
    }

    @Test
    void credHelpers_winOverCredsStore_whichWinsOverAuths() throws Exception {
        Path file = config("{\"credsStore\":\"desktop\",\"credHelpers\":{\"gcr.io\":\"gcloud\"},"
                + "\"auths\":{\"quay.io\":{\"auth\":\"" + base64("file:user") + "\"}}}");
        List<String> asked = new ArrayList<>();
        CredentialHelper helper = (name, server) -> {
            asked.add(name + " " + server);
            return name.equals("gcloud")
                    ? Optional.of("{\"ServerURL\":\"gcr.io\",\"Username\":\"_json\",\"Secret\":\"key\"}")
                    : Optional.of("{\"ServerURL\":\"" + server + "\",\"Username\":\"<token>\",\"Secret\":\"idt\"}");
        };
        DockerConfigCredentials credentials = new DockerConfigCredentials(file, helper);

        assertEquals(Optional.of(Credential.basic("_json", "key")), credentials.credentialFor("gcr.io"));
        assertEquals(Optional.of(new Credential("<token>", "idt", true)), credentials.credentialFor("quay.io"));
        assertEquals(Optional.of(new Credential("<token>", "idt", true)), credentials.credentialFor("docker.io"));
        assertEquals(List.of("gcloud gcr.io", "desktop quay.io", "desktop https://index.docker.io/v1/"), asked);
    }

    @Test
    void missingFile_meansAnonymous_andBrokenFilesSayWhatToFix() throws Exception {
        assertEquals(Optional.empty(), new DockerConfigCredentials(dir.resolve("absent.json"), NO_HELPER)
                .credentialFor("docker.io"));
        RegistryException json = assertThrows(RegistryException.class,
                () -> new DockerConfigCredentials(config("{nope"), NO_HELPER).credentialFor("docker.io"));
        assertTrue(json.getMessage().contains("is not valid JSON"), json.getMessage());
        RegistryException auth = assertThrows(RegistryException.class, () -> new DockerConfigCredentials(
                config("{\"auths\":{\"x.io\":{\"auth\":\"" + base64("nocolon") + "\"}}}"), NO_HELPER)
                .credentialFor("x.io"));
        assertTrue(auth.getMessage().contains("does not decode to user:password; run docker login x.io again"),
                auth.getMessage());
    }

    @Test
    void defaultConfigFile_followsDockerConfigThenHome() {
        assertEquals(Path.of("/cfg/config.json"),
                DockerConfigCredentials.defaultConfigFile(Map.of("DOCKER_CONFIG", "/cfg"), Path.of("/home/u")));
        assertEquals(Path.of("/home/u/.docker/config.json"),
                DockerConfigCredentials.defaultConfigFile(Map.of(), Path.of("/home/u")));
    }

    @Test
    void processHelper_speaksTheDockerCredentialProtocol() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve("docker-credential-wharftest");
        Files.writeString(script, "#!/bin/sh\n"
                + "[ \"$1\" = get ] || { echo \"unknown command $1\"; exit 2; }\n"
                + "read -r server\n"
                + "case \"$server\" in\n"
                + "  registry.example.com) printf '{\"ServerURL\":\"%s\",\"Username\":\"bob\",\"Secret\":\"pw\"}' "
                + "\"$server\" ;;\n"
                + "  crash.example.com) echo 'keychain exploded'; exit 1 ;;\n"
                + "  *) echo 'credentials not found in native keychain'; exit 1 ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessCredentialHelper helper = new ProcessCredentialHelper(Map.of("PATH", bin + ":/usr/bin:/bin"),
                Duration.ofSeconds(10));
        DockerConfigCredentials credentials = new DockerConfigCredentials(
                config("{\"credsStore\":\"wharftest\"}"), helper);

        assertEquals(Optional.of(Credential.basic("bob", "pw")), credentials.credentialFor("registry.example.com"));
        assertEquals(Optional.empty(), credentials.credentialFor("other.example.com"));
        RegistryException crash = assertThrows(RegistryException.class,
                () -> credentials.credentialFor("crash.example.com"));
        assertTrue(crash.getMessage().contains("failed for crash.example.com (exit 1): keychain exploded"),
                crash.getMessage());

        RegistryException missing = assertThrows(RegistryException.class, () -> new DockerConfigCredentials(
                config("{\"credsStore\":\"absent\"}"), helper).credentialFor("registry.example.com"));
        assertTrue(missing.getMessage().startsWith("credential helper docker-credential-absent"),
                missing.getMessage());
    }

    @Test
    void credential_hidesItsSecret() {
        assertTrue(!Credential.basic("u", "hunter2").toString().contains("hunter2"));
    }
}
