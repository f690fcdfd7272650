package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Mount's text, which step cache keys hold: it must stay what the record's generated toString gave. */
class MountTest {

    @Test
    void toStringIsTheGeneratedRecordTextOfAnEmptyCacheMount() {
        Mount cache = new Mount(MountType.CACHE, "", "", "/root/.cache", false, 0, "", Optional.empty(), false,
                Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
        assertEquals("Mount[type=CACHE, from=, source=, target=/root/.cache, readOnly=false, sizeLimit=0, cacheId=, "
                + "sharing=Optional.empty, required=false, env=Optional.empty, mode=OptionalLong.empty, "
                + "uid=OptionalLong.empty, gid=OptionalLong.empty]", cache.toString());
    }

    @Test
    void toStringIsTheGeneratedRecordTextWithEveryComponentSet() {
        Mount bind = new Mount(MountType.BIND, "st\"a,ge", "s=rc", "/t]x", true, 1048576, "id 1",
                Optional.of(SharingMode.SHARED), true, Optional.of("ENV"), OptionalLong.of(0755), OptionalLong.of(1000),
                OptionalLong.of(0));
        assertEquals("Mount[type=BIND, from=st\"a,ge, source=s=rc, target=/t]x, readOnly=true, sizeLimit=1048576, "
                + "cacheId=id 1, sharing=Optional[SHARED], required=true, env=Optional[ENV], mode=OptionalLong[493], "
                + "uid=OptionalLong[1000], gid=OptionalLong[0]]", bind.toString());
    }
}
