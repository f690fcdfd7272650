package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretFlagsTest {
    private static final Map<String, String> ENV = Map.of("NPM_TOKEN", "tok-123", "token", "from-var");

    @Test
    void srcAndSource_nameAFile() throws Exception {
        try (SecretFlags flags = new SecretFlags(ENV)) {
            flags.add("id=a,src=/etc/hostname");
            flags.add("id=b,source=pom.xml");
            assertEquals(Path.of("/etc/hostname"), flags.files().get("a"));
            assertEquals(Path.of("pom.xml").toAbsolutePath(), flags.files().get("b"));
        }
    }

    @Test
    void aQuotedField_keepsItsCommas_asBuildxsCsvParsing() throws Exception {
        // buildx util/buildflags/secrets.go reads each --secret with csvvalue.Fields.
        Path dir = Files.createTempDirectory("wharf-secret-csv-");
        Path file = Files.writeString(dir.resolve("a,b"), "s");
        try (SecretFlags flags = new SecretFlags(ENV)) {
            flags.add("id=a,\"src=" + file + "\"");
            assertEquals(file, flags.files().get("a"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> flags.add("id=b,src=x\"y"));
            assertTrue(e.getMessage().contains("failed to parse csv secret: parse error on line 1, column 11: "
                    + "bare \" in non-quoted-field"), e.getMessage());
        } finally {
            Files.delete(file);
            Files.delete(dir);
        }
    }

    @Test
    void aMissingFile_failsBeforeTheBuild_withBuildxsMessage() throws Exception {
        // secretsprovider/store.go NewStore stats every file secret: the build does not start.
        try (SecretFlags flags = new SecretFlags(ENV)) {
            assertEquals("failed to stat /nonexistent/tok: stat /nonexistent/tok: no such file or directory",
                    assertThrows(IllegalArgumentException.class, () -> flags.add("id=t,src=/nonexistent/tok"))
                            .getMessage());
        }
    }

    @Test
    void envSecrets_areWrittenToAPrivateFileThatCloseDeletes() throws Exception {
        Path file;
        try (SecretFlags flags = new SecretFlags(ENV)) {
            flags.add("id=npm,env=NPM_TOKEN");
            flags.add("type=env,id=npm2,src=NPM_TOKEN");
            file = flags.files().get("npm");
            assertEquals("tok-123", Files.readString(file));
            assertEquals("tok-123", Files.readString(flags.files().get("npm2")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        }
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    void bareId_readsTheVariableOfThatNameWhenSet_elseTheFile() throws Exception {
        try (SecretFlags flags = new SecretFlags(ENV)) {
            flags.add("id=token");
            flags.add("id=pom.xml");
            assertEquals("from-var", Files.readString(flags.files().get("token")));
            assertEquals(Path.of("pom.xml").toAbsolutePath(), flags.files().get("pom.xml"));
        }
    }

    @Test
    void srcAndEnv_readTheFile_asBuildKitsSecretStore() throws Exception {
        try (SecretFlags flags = new SecretFlags(ENV)) {
            flags.add("id=both,src=pom.xml,env=NPM_TOKEN");
            assertEquals(Path.of("pom.xml").toAbsolutePath(), flags.files().get("both"));
        }
    }

    @Test
    void unsetVariable_isAnEmptySecret_asBuildKitsSecretStore() throws Exception {
        // secretsprovider/store.go GetSecret: os.Getenv of an unset variable is "".
        try (SecretFlags flags = new SecretFlags(ENV)) {
            flags.add("id=x,env=UNSET_VAR");
            assertEquals("", java.nio.file.Files.readString(flags.files().get("x")));
        }
    }

    @Test
    void badValues_failInBuildxsWords_withoutTheSecret() throws Exception {
        // What docker buildx build --secret printed after "ERROR: " (buildx 0.13.1).
        try (SecretFlags flags = new SecretFlags(ENV)) {
            // BuildKit's store stats a src= even when env= is given too (the file wins in GetSecret).
            assertEquals("failed to stat f: stat f: no such file or directory", assertThrows(
                    IllegalArgumentException.class, () -> flags.add("id=x,src=f,env=NPM_TOKEN")).getMessage());
            // buildx 0.13 takes no id from the file's name (later ones do).
            assertEquals("secret missing ID", assertThrows(IllegalArgumentException.class,
                    () -> flags.add("src=./pom.xml")).getMessage());
            assertEquals("secret missing ID", assertThrows(IllegalArgumentException.class,
                    () -> flags.add("id=,env=NPM_TOKEN")).getMessage());
            assertEquals("unsupported secret type \"ssh\"", assertThrows(IllegalArgumentException.class,
                    () -> flags.add("id=x,type=ssh")).getMessage());
            assertEquals("unexpected key 'mode' in 'mode=0400'", assertThrows(IllegalArgumentException.class,
                    () -> flags.add("id=x,mode=0400")).getMessage());
            assertEquals("invalid field 'justtext' must be a key=value pair", assertThrows(
                    IllegalArgumentException.class, () -> flags.add("justtext")).getMessage());
        }
    }
}
