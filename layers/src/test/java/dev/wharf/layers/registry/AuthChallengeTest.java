package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void parse_readsABearerChallengeWithQuotedParameters() {
        List<AuthChallenge> challenges = AuthChallenge.parse(List.of("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\""));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("realm", "https://auth.docker.io/token");
        expected.put("service", "registry.docker.io");
        expected.put("scope", "repository:library/alpine:pull");
        assertEquals(List.of(new AuthChallenge("bearer", expected)), challenges);
    }

    @Test
    void parse_readsSeveralChallengesTokensEscapesAndOddSpacing() {
        List<AuthChallenge> challenges = AuthChallenge.parse(List.of(
                "Basic realm=\"my \\\"registry\\\"\" , Bearer realm=https://x/token, service=svc",
                "Negotiate"));
        assertEquals(3, challenges.size());
        assertEquals(new AuthChallenge("basic", Map.of("realm", "my \"registry\"")), challenges.get(0));
        assertEquals("https://x/token", challenges.get(1).parameter("realm").orElseThrow());
        assertEquals("svc", challenges.get(1).parameter("SERVICE").orElseThrow());
        assertEquals(new AuthChallenge("negotiate", Map.of()), challenges.get(2));
    }

    @Test
    void parse_toleratesMalformedHeaders() {
        assertEquals(List.of(), AuthChallenge.parse(List.of("", "   ", ",,")));
        assertEquals("abc", AuthChallenge.parse(List.of("Bearer realm=\"abc")).get(0).parameter("realm")
                .orElseThrow());
        assertEquals(List.of(new AuthChallenge("bearer", Map.of())), AuthChallenge.parse(List.of("Bearer =x")));
    }
}
