package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** BuildKit's resolv.conf generation ({@code util/resolvconf} legacy transform) on host file texts. */
class ResolvConfTest {
    private static final String DEFAULTS = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
            + "nameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n";

    @Test
    void withoutHostNetwork_loopbackNameserversAreDroppedAndTheRestKept() {
        String host = "# generated\nnameserver 127.0.0.1\nnameserver 10.0.0.2\nnameserver ::1\n"
                + "nameserver fd00::1\ndomain a.example\nsearch b.example c.example\noptions ndots:2\n"
                + "options rotate\nsortlist 10.0.0.0\n;comment\n";
        assertEquals("nameserver 10.0.0.2\nnameserver fd00::1\nsearch b.example c.example\n"
                + "options ndots:2 rotate\nsortlist 10.0.0.0\n", ResolvConf.generate(host, NetworkMode.NONE));
    }

    @Test
    void withoutHostNetwork_onlyLoopbackOrNoFileGivesGooglesResolvers() {
        assertEquals(DEFAULTS + "search lan\n",
                ResolvConf.generate("nameserver 127.0.0.53\nsearch lan\n", NetworkMode.NONE));
        assertEquals(DEFAULTS, ResolvConf.generate(null, NetworkMode.NONE));
    }

    @Test
    void withHostNetwork_aLocalResolverIsKeptButAnEmptyListStillGetsDefaults() {
        assertEquals("nameserver 127.0.0.53\noptions edns0\n",
                ResolvConf.generate("nameserver 127.0.0.53\noptions edns0\n", NetworkMode.HOST));
        assertEquals(DEFAULTS, ResolvConf.generate("nameserver not-an-ip\n", NetworkMode.HOST));
    }
}
