package dev.wharf.grammar.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvGetterTest {

    @Test
    void listEntriesSplitAtTheFirstEqualsAndTheLastDuplicateWins() {
        EnvGetter env = EnvGetter.fromList(List.of("foo=bar=baz", "car=hat", "car=bike", "bare", "empty="));
        assertEquals("bar=baz", env.get("foo"));
        assertEquals("bike", env.get("car"));
        assertEquals("", env.get("bare"));
        assertEquals("", env.get("empty"));
        assertNull(env.get("missing"));
        assertEquals(Optional.empty(), env.lookup("missing"));
        assertEquals(Optional.of("bike"), env.lookup("car"));
        assertEquals(List.of("foo", "car", "car", "bare", "empty"), env.keys());
    }

    @Test
    void namesAreCaseSensitiveUnlessAskedOtherwise() {
        assertNull(EnvGetter.fromList(List.of("PWD=/home")).get("pwd"));
        EnvGetter windows = EnvGetter.fromList(List.of("PWD=/home", "pwd=/other"), true);
        assertEquals("/other", windows.get("Pwd"));
        assertEquals(List.of("PWD", "pwd"), windows.keys());
    }

    @Test
    void mapsKeepTheirKeysAndValues() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("A", "1");
        map.put("b", "");
        EnvGetter env = EnvGetter.fromMap(map);
        assertEquals("1", env.get("A"));
        assertEquals("", env.get("b"));
        assertNull(env.get("a"));
        assertEquals(List.of("A", "b"), env.keys());
        assertEquals("1", EnvGetter.fromMap(map, true).get("a"));
        assertNull(EnvGetter.empty().get("A"));
        assertEquals(List.of(), EnvGetter.empty().keys());
    }

    @Test
    void nullsAreProgrammerErrors() {
        assertThrows(NullPointerException.class, () -> EnvGetter.fromList(null));
        assertThrows(NullPointerException.class, () -> EnvGetter.fromMap(null));
        assertThrows(NullPointerException.class,
                () -> ShellLexer.create().processWord(null, EnvGetter.empty()));
    }

    @Test
    void windowsNormalizationUpperCasesRuneByRune() {
        assertEquals("PWD", EnvNames.normalize("pwd"));
        assertEquals("\u00DF", EnvNames.normalize("\u00DF")); // not "SS" as String.toUpperCase would give
        String upper = "ALREADY_UPPER_1";
        assertEquals(upper, EnvNames.normalize(upper));
    }
}
