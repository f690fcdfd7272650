package dev.wharf.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DigestTest {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void sha256Of_emptyInput_isTheWellKnownEmptyDigest() {
        assertEquals("sha256:" + EMPTY_SHA256, Digest.sha256Of(new byte[0]).toString());
    }

    @Test
    void parse_roundTripsTheWireForm() {
        Digest digest = Digest.parse("sha256:" + EMPTY_SHA256);
        assertEquals(DigestAlgorithm.SHA256, digest.algorithm());
        assertEquals(EMPTY_SHA256, digest.hex());
        assertEquals("sha256:" + EMPTY_SHA256, digest.toString());
        assertEquals(digest, Digest.sha256(EMPTY_SHA256));
        assertEquals(digest.hashCode(), Digest.sha256(EMPTY_SHA256).hashCode());
    }

    @Test
    void parse_acceptsSha512() {
        String hex = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
        Digest digest = Digest.parse("sha512:" + hex);
        assertEquals(DigestAlgorithm.SHA512, digest.algorithm());
        assertEquals(Digest.fromHash(DigestAlgorithm.SHA512, DigestAlgorithm.SHA512.newMessageDigest().digest()),
                digest);
    }

    @Test
    void newMessageDigest_givesAFreshHasherEachTime_thatSharesNoState() throws Exception {
        java.security.MessageDigest first = DigestAlgorithm.SHA256.newMessageDigest();
        first.update("partial input".getBytes(StandardCharsets.UTF_8));
        java.security.MessageDigest second = DigestAlgorithm.SHA256.newMessageDigest();
        assertEquals(EMPTY_SHA256, java.util.HexFormat.of().formatHex(second.digest()));
        assertEquals(Digest.sha256Of("partial input".getBytes(StandardCharsets.UTF_8)),
                Digest.fromHash(DigestAlgorithm.SHA256, first.digest()));
        assertEquals("SHA-512", DigestAlgorithm.SHA512.newMessageDigest().getAlgorithm());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "sha256", "sha256:", ":" + EMPTY_SHA256, EMPTY_SHA256,
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "md5:d41d8cd98f00b204e9800998ecf8427e", "SHA256:" + EMPTY_SHA256,
        "sha256:../../../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void parse_rejectsMalformedDigestsWithAMessage(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digest.parse(text));
        assertTrue(e.getMessage().contains("digest"), e.getMessage());
    }

    @Test
    void parse_rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse(null));
    }

    @Test
    void compareTo_ordersByWireForm() {
        Digest a = Digest.sha256Of("a".getBytes(StandardCharsets.UTF_8));
        Digest b = Digest.sha256Of("b".getBytes(StandardCharsets.UTF_8));
        assertNotEquals(a, b);
        assertEquals(Integer.signum(a.toString().compareTo(b.toString())), Integer.signum(a.compareTo(b)));
    }
}
