package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@link Main#CONVERTER_EXCLUDES}: picocli's java.time and java.sql converters are left out, the Path one is not. */
class ConverterExcludesTest {

    @Test
    void theExcludesMatchJavaTimeAndSqlTypesOnly() {
        for (String name : new String[] {"java.time.Duration", "java.time.ZonedDateTime", "java.sql.Time",
                "java.sql.Connection"}) {
            assertTrue(name.matches(Main.CONVERTER_EXCLUDES), name);
        }
        for (String name : new String[] {"java.nio.file.Path", "java.lang.String", "java.timer.X"}) {
            assertFalse(name.matches(Main.CONVERTER_EXCLUDES), name);
        }
    }

    @Test
    void aPathOptionStillConvertsWithTheExcludesSet() {
        String before = System.getProperty("picocli.converters.excludes");
        System.setProperty("picocli.converters.excludes", Main.CONVERTER_EXCLUDES);
        try {
            CommandSpec spec = CommandSpec.create();
            spec.addOption(OptionSpec.builder("--file").type(Path.class).build());
            CommandLine.ParseResult parsed = new CommandLine(spec).parseArgs("--file", "a/b");
            assertEquals(Path.of("a/b"), parsed.matchedOptionValue("--file", null));
        } finally {
            if (before == null) {
                System.clearProperty("picocli.converters.excludes");
            } else {
                System.setProperty("picocli.converters.excludes", before);
            }
        }
    }
}
