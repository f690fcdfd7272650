package dev.wharf.layers.registry;

import java.util.Objects;

/**
 * A registry credential: a user name and password, or an identity (refresh) token as {@code docker login} stores
 * for registries that issue OAuth2 tokens.
 *
 * <p>An immutable record, thread-safe. {@link #toString()} hides the secret so credentials never reach logs.
 *
 * @param username the user name (for identity tokens, whatever the helper returned, often {@code <token>})
 * @param secret the password, or the identity token when {@code identityToken} is true
 * @param identityToken whether {@code secret} is an identity token, exchanged at the token endpoint with the
 *     OAuth2 refresh-token grant instead of being sent as a password
 */
public record Credential(String username, String secret, boolean identityToken) {
    /** Validates. */
    public Credential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(secret, "secret");
    }

    /** Makes a user name and password credential. */
    public static Credential basic(String username, String password) {
        return new Credential(username, password, false);
    }

    /** Makes an identity-token credential. */
    public static Credential identityToken(String token) {
        return new Credential("<token>", token, true);
    }

    @Override
    public String toString() {
        return "Credential[username=" + username + (identityToken ? ", identity token" : ", password") + " hidden]";
    }
}
