package dev.wharf.builder.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The small Go-compatible helpers the planner relies on. */
class HelpersTest {

    @Test
    void envList_replacingMovesTheVariableToTheEnd() {
        EnvList env = EnvList.empty().addOrReplace("A", "1").addOrReplace("B", "2").addOrReplace("A", "3");
        assertEquals(List.of("B=2", "A=3"), env.entries());
        assertEquals(Optional.of("3"), env.get("A"));
        assertEquals(Map.of("B", "2"), env.delete("A").toMap());
    }

    @Test
    void workdirs_joinRelativePaths_andKeepAbsoluteOnesAsWritten() {
        assertEquals("/a/b", Workdirs.resolve("/a", "b"));
        assertEquals("/c", Workdirs.resolve("/a/b", "../../c"));
        assertEquals("/x/../y", Workdirs.resolve("/a", "/x/../y"));
        assertEquals("/a", Workdirs.resolve("/a", ""));
        assertEquals("/rel/rel", Workdirs.resolve("rel", "rel"));
        assertEquals("/", Workdirs.resolve("", "."));
    }

    @Test
    void signals_acceptNumbersAndNamesWithOrWithoutSig() {
        assertEquals(Optional.of(15), Signals.parse("SIGTERM"));
        assertEquals(Optional.of(15), Signals.parse("term"));
        assertEquals(Optional.of(9), Signals.parse("9"));
        assertEquals(Optional.of(37), Signals.parse("SIGRTMIN+3"));
        assertEquals(Optional.empty(), Signals.parse("0"));
        assertEquals(Optional.empty(), Signals.parse("SIGNOPE"));
    }

    @Test
    void ipAddresses_acceptLiteralsOnly() {
        assertTrue(IpAddresses.isValid("0.0.0.0"));
        assertTrue(IpAddresses.isValid("::"));
        assertTrue(IpAddresses.isValid("::1"));
        assertTrue(IpAddresses.isValid("2001:4860:0:2001::68"));
        assertTrue(IpAddresses.isValid("::ffff:1.2.3.4"));
        assertTrue(IpAddresses.isValid("1:2:3:4:5:6:7:8"));
        assertFalse(IpAddresses.isValid("localhost"));
        assertFalse(IpAddresses.isValid("1.2.3.256"));
        assertFalse(IpAddresses.isValid("01.2.3.4"));
        assertFalse(IpAddresses.isValid("1::2::3"));
        assertFalse(IpAddresses.isValid("1:2:3:4:5:6:7:8:9"));
    }

    @Test
    void goAtoi_acceptsSignsAndRejectsEverythingElse() {
        assertEquals(Optional.of(1L), GoAtoi.parse("+1"));
        assertEquals(Optional.of(-2L), GoAtoi.parse("-2"));
        assertEquals(Optional.of(7L), GoAtoi.parse("007"));
        assertEquals(Optional.empty(), GoAtoi.parse("1a"));
        assertEquals(Optional.empty(), GoAtoi.parse("+"));
        assertEquals(Optional.empty(), GoAtoi.parse(""));
        assertEquals(Optional.empty(), GoAtoi.parse("99999999999999999999"));
    }

    @Test
    void mountSources_readTheLastFromField() {
        SourceRange r = SourceRange.ofLines(1, 1);
        assertEquals("a", MountSources.from(new Word("type=bind,from=a,target=/x", r)));
        assertEquals("b", MountSources.from(new Word("FROM=a,\"from=b\"", r)));
        assertEquals("", MountSources.from(new Word("type=cache,target=/c", r)));
    }

    @Test
    void portSpecs_reportBuildKitsMessages() {
        assertEquals("invalid port: \"80/xyz\": invalid proto: xyz",
                org.junit.jupiter.api.Assertions.assertThrows(dev.wharf.grammar.DockerfileException.class,
                        () -> PortSpecs.parsePort("80/xyz")).reason());
        assertEquals("invalid containerPort: 99999",
                org.junit.jupiter.api.Assertions.assertThrows(dev.wharf.grammar.DockerfileException.class,
                        () -> PortSpecs.parsePort("99999")).reason());
    }
}
