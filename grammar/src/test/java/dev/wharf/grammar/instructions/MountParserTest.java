package dev.wharf.grammar.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.DockerfileException;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** RUN --mount values after expansion: BuildKit's parseMount results and messages. */
class MountParserTest {

    private static Mount mount(String spec) throws DockerfileException {
        return MountParser.parse(spec, word -> word);
    }

    private static String error(String spec) {
        return assertThrows(DockerfileException.class, () -> mount(spec)).reason();
    }

    @Test
    void bindIsTheDefaultAndReadOnly() throws DockerfileException {
        Mount m = mount("target=/src,source=.,from=build");
        assertEquals(MountType.BIND, m.type());
        assertEquals("/src", m.target());
        assertEquals(".", m.source());
        assertEquals("build", m.from());
        assertTrue(m.readOnly());
        assertFalse(mount("dst=/x,rw").readOnly());
        assertFalse(mount("destination=/x,readwrite=true").readOnly());
        assertTrue(mount("type=cache,target=/x,ro").readOnly());
        assertTrue(mount("type=cache,target=/x,readonly=1").readOnly());
    }

    @Test
    void everyKeyIsTyped() throws DockerfileException {
        Mount cache = mount("type=CACHE,id=c,target=/c,sharing=Private,mode=0700,uid=1000,gid=100");
        assertEquals(MountType.CACHE, cache.type());
        assertEquals("c", cache.cacheId());
        assertEquals(Optional.of(SharingMode.PRIVATE), cache.sharing());
        assertEquals(OptionalLong.of(0700), cache.mode());
        assertEquals(OptionalLong.of(1000), cache.uid());
        assertEquals(OptionalLong.of(100), cache.gid());
        assertFalse(cache.readOnly());
        Mount tmpfs = mount("type=tmpfs,target=/t,size=64m");
        assertEquals(64L << 20, tmpfs.sizeLimit());
        Mount secret = mount("type=secret,id=token,env=TOKEN,required");
        assertEquals(Optional.of("TOKEN"), secret.env());
        assertTrue(secret.required());
        assertTrue(secret.readOnly());
        assertFalse(mount("type=ssh,required=false").required());
    }

    @Test
    void valuesAreExpandedBeforeValidation() throws DockerfileException {
        Mount m = MountParser.parse("type=$T,target=$DIR", word -> word.replace("$T", "tmpfs").replace("$DIR", "/d"));
        assertEquals(MountType.TMPFS, m.type());
        assertEquals("/d", m.target());
    }

    @Test
    void buildKitMessages() {
        assertEquals("unsupported mount type \"volume\"", error("type=volume"));
        assertEquals("unsupported mount type \"bnd\" (did you mean bind?)", error("type=bnd"));
        assertEquals("unsupported sharing value \"lock\" (did you mean locked?)", error("type=cache,sharing=lock"));
        assertEquals("unexpected key 'size' for mount type 'bind'", error("size=1m"));
        assertEquals("unexpected key 'required' for mount type 'cache'", error("type=cache,required"));
        assertEquals("unexpected key 'required' for mount type 'bind'", error("required=true,type=secret"));
        assertEquals("invalid value for size: lots", error("type=tmpfs,size=lots"));
        assertEquals("invalid value for ro: maybe", error("ro=maybe"));
        assertEquals("invalid value 9 for mode", error("type=cache,mode=9"));
        assertEquals("invalid value x for uid", error("type=cache,uid=x"));
        assertEquals("mode not allowed for \"bind\" type mounts", error("mode=0700"));
        assertEquals("uid not allowed for \"tmpfs\" type mounts", error("type=tmpfs,uid=1"));
        assertEquals("gid not allowed for \"bind\" type mounts", error("gid=1"));
        assertEquals("invalid field 'nosuid' must be a key=value pair", error("nosuid"));
        assertEquals("unexpected key 'tagret' in 'tagret=/x' (did you mean target?)", error("tagret=/x"));
        assertEquals("secret mount should not have a from", error("type=secret,id=a,from=x"));
        assertEquals("secret mount should not define sharing", error("type=secret,id=a,sharing=shared"));
        assertEquals("invalid secret mount. one of source, target required", error("type=secret"));
        assertEquals("both source and id can't be set", error("type=secret,id=a,src=b"));
        assertEquals("invalid cache sharing set for bind mount", error("sharing=shared"));
        assertEquals("failed to parse csv mounts: EOF", error(""));
    }

    @Test
    void parseTimeCheckOnlyLooksAtSyntaxAndFrom() throws DockerfileException {
        MountParser.checkUnexpanded("type=$T,uid=$U,bogus=1,nosuid");
        MountParser.checkUnexpanded("from=stage$");
        assertEquals("'from' doesn't support variable expansion, define alias stage instead",
                assertThrows(DockerfileException.class, () -> MountParser.checkUnexpanded("FROM=${x}")).reason());
    }
}
