package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreRootTest {
    private static final Path HOME = Path.of("/home/dev");

    @Test
    void wharfRoot_winsOverEverything() {
        assertEquals(Path.of("/srv/wharf"),
                StoreRoot.resolve(Map.of("WHARF_ROOT", "/srv/wharf", "XDG_DATA_HOME", "/data"), HOME));
    }

    @Test
    void xdgDataHome_isUsedWhenWharfRootIsUnsetOrEmpty() {
        assertEquals(Path.of("/data/wharf"), StoreRoot.resolve(Map.of("XDG_DATA_HOME", "/data"), HOME));
        assertEquals(Path.of("/data/wharf"),
                StoreRoot.resolve(Map.of("WHARF_ROOT", "", "XDG_DATA_HOME", "/data"), HOME));
    }

    @Test
    void homeDefault_isUsedWithoutVariablesOrWithARelativeXdgDataHome() {
        assertEquals(Path.of("/home/dev/.local/share/wharf"), StoreRoot.resolve(Map.of(), HOME));
        assertEquals(Path.of("/home/dev/.local/share/wharf"),
                StoreRoot.resolve(Map.of("XDG_DATA_HOME", "relative/data"), HOME));
        assertEquals(Path.of("/home/dev/.local/share/wharf"), StoreRoot.resolve(Map.of("XDG_DATA_HOME", ""), HOME));
    }
}
