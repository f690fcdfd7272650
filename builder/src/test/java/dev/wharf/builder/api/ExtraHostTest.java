package dev.wharf.builder.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExtraHostTest {
    @Test
    void hostColonIpAndHostEqualsIp_giveTheHostsLineBuildKitWrites() {
        assertEquals("10.0.0.5\tdb.local", ExtraHost.parse("db.local:10.0.0.5").hostsLine());
        assertEquals("10.0.0.5\tdb.local", ExtraHost.parse("db.local=10.0.0.5").hostsLine());
    }

    @Test
    void ipv6Addresses_withOrWithoutBrackets() {
        assertEquals(new ExtraHost("v6", "::1"), ExtraHost.parse("v6:::1"));
        assertEquals(new ExtraHost("v6", "fe80::1"), ExtraHost.parse("v6=[fe80::1]"));
    }

    @Test
    void hostGateway_isLoopbackBecauseRunStepsShareTheHostsNetwork() {
        assertEquals(new ExtraHost("host.docker.internal", "127.0.0.1"),
                ExtraHost.parse("host.docker.internal:host-gateway"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nohost", ":10.0.0.1", "db:", "db:not-an-ip", "db:300.1.1.1", "bad host:10.0.0.1"})
    void malformedValues_areRejectedSayingWhatIsExpected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExtraHost.parse(text));
        assertTrue(e.getMessage().contains("--add-host"), e.getMessage());
    }
}
