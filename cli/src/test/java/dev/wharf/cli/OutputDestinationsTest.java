package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.builder.api.BuildOutput;
import dev.wharf.builder.api.ImageAnnotation;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link OutputDestinations}: the routing of {@code -o} values, with buildx's CSV quoting kept for the engine. */
class OutputDestinationsTest {

    @Test
    void aQuotedField_keepsItsCommas_throughTheRouting() throws Exception {
        try (OutputDestinations outputs = new OutputDestinations(() -> false)) {
            // A docker output without dest becomes an image output; its quoted annotation keeps its comma.
            String docker = outputs.prepare("type=docker,\"annotation.x=a,b\"");
            assertEquals("type=image,\"annotation.x=a,b\"", docker);
            assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "x", "a,b")),
                    BuildOutput.parse(docker).annotations());
            // A tarball to standard output gets the temporary file as its dest, the quoting kept.
            String tar = outputs.prepare("type=oci,\"annotation.y=c,d\"");
            assertTrue(tar.startsWith("type=oci,\"annotation.y=c,d\",dest="), tar);
            assertEquals("c,d", BuildOutput.parse(tar).annotations().get(0).value());
        }
    }
}
