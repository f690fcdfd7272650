package dev.wharf.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfileLocationTest {
    @TempDir
    Path temp;

    @Test
    void aMissingDockerfile_isLookedForInLowerCase_only() throws Exception {
        Path upper = temp.resolve("Dockerfile");
        assertEquals(upper, DockerfileLocation.resolve(upper), "neither exists: the name as given, for the error");
        Files.writeString(temp.resolve("dockerfile"), "FROM scratch\n");
        assertEquals(temp.resolve("dockerfile"), DockerfileLocation.resolve(upper));
        Files.writeString(upper, "FROM scratch\n");
        assertEquals(upper, DockerfileLocation.resolve(upper), "Dockerfile wins when both exist");
        Path other = temp.resolve("app.Dockerfile");
        assertEquals(other, DockerfileLocation.resolve(other), "another name has no fallback");
    }
}
