package dev.wharf.layers.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.json.JsonTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from a Docker client config file ({@code ~/.docker/config.json}): {@code credHelpers} per registry,
 * then the default {@code credsStore}, then the base64 {@code auth} (or {@code username}/{@code password},
 * {@code identitytoken}) entries of {@code auths}, as docker/cli's {@code configfile.GetAuthConfig} decides.
 *
 * <p>Immutable and thread-safe. The file is read on each lookup, so a {@code docker login} in between is seen.
 * A missing file means no credentials. The file path and the helper runner are injected: this class reads no
 * environment variables; {@link #defaultConfigFile} computes Docker's default location from values the caller
 * passes.
 */
public final class DockerConfigCredentials implements CredentialProvider {
    /** The key Docker stores Docker Hub credentials under (registry.IndexServer). */
    public static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

    private final Path configFile;
    private final CredentialHelper helper;

    /**
     * Makes a provider over one config file.
     *
     * @param configFile the {@code config.json} to read
     * @param helper runs {@code docker-credential-*} helpers named by the file
     */
    public DockerConfigCredentials(Path configFile, CredentialHelper helper) {
        this.configFile = configFile;
        this.helper = helper;
    }

    /**
     * Returns Docker's default config file: {@code $DOCKER_CONFIG/config.json} when {@code DOCKER_CONFIG} is set
     * in the given environment, else {@code <home>/.docker/config.json}.
     */
    public static Path defaultConfigFile(Map<String, String> environment, Path home) {
        String dir = environment.get("DOCKER_CONFIG");
        if (dir != null && !dir.isEmpty()) {
            return Path.of(dir, "config.json");
        }
        return home.resolve(".docker").resolve("config.json");
    }

    @Override
    public Optional<Credential> credentialFor(String registry) throws RegistryException {
        JsonNode config = read();
        if (config == null) {
            return Optional.empty();
        }
        String server = serverAddress(registry);
        String helperName = helperFor(config, server);
        if (helperName != null) {
            Optional<String> answer = helper.get(helperName, server);
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            return fromHelperAnswer(answer.get(), helperName, server);
        }
        return fromAuths(config.path("auths"), server);
    }

    /** Docker keys Docker Hub under its legacy index URL and every other registry under its host name. */
    static String serverAddress(String registry) {
        if (registry.equals(ImageReference.DOCKER_HUB_DOMAIN) || registry.equals(ImageReference.DOCKER_HUB_API_HOST)
                || registry.equals(ImageReference.DOCKER_HUB_LEGACY_DOMAIN)) {
            return DOCKER_HUB_SERVER;
        }
        return registry;
    }

    private static String helperFor(JsonNode config, String server) {
        JsonNode helpers = config.path("credHelpers");
        String specific = textOrNull(helpers.get(server));
        if (specific == null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = helpers.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (hostname(entry.getKey()).equals(hostname(server))) {
                    specific = textOrNull(entry.getValue());
                    break;
                }
            }
        }
        if (specific != null && !specific.isEmpty()) {
            return specific;
        }
        String store = textOrNull(config.get("credsStore"));
        return store == null || store.isEmpty() ? null : store;
    }

    private Optional<Credential> fromHelperAnswer(String answer, String helperName, String server)
            throws RegistryException {
        JsonNode node;
        try {
            node = JsonTrees.parse(answer);
        } catch (IOException e) {
            throw new RegistryException("credential helper docker-credential-" + helperName + " answered for "
                    + server + " with something that is not JSON: " + e.getMessage(), e);
        }
        String username = node.path("Username").asText("");
        String secret = node.path("Secret").asText("");
        if (username.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        // docker-credential-helpers marks identity tokens with this user name (credentials.tokenUsername).
        return Optional.of(new Credential(username, secret, "<token>".equals(username)));
    }

    private Optional<Credential> fromAuths(JsonNode auths, String server) throws RegistryException {
        JsonNode entry = auths.get(server);
        if (entry == null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (hostname(e.getKey()).equals(hostname(server))) {
                    entry = e.getValue();
                    break;
                }
            }
        }
        if (entry == null || !entry.isObject()) {
            return Optional.empty();
        }
        String identityToken = entry.path("identitytoken").asText("");
        if (!identityToken.isEmpty()) {
            return Optional.of(Credential.identityToken(identityToken));
        }
        String auth = entry.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new RegistryException("the \"auth\" entry for " + server + " in " + configFile
                        + " is not valid base64; run docker login " + server + " again", e);
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new RegistryException("the \"auth\" entry for " + server + " in " + configFile
                        + " does not decode to user:password; run docker login " + server + " again");
            }
            return Optional.of(Credential.basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }
        String username = entry.path("username").asText("");
        String password = entry.path("password").asText("");
        if (!username.isEmpty() || !password.isEmpty()) {
            return Optional.of(Credential.basic(username, password));
        }
        return Optional.empty();
    }

    private JsonNode read() throws RegistryException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(configFile);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new RegistryException("cannot read Docker config " + configFile + ": " + e.getMessage(), e);
        }
        try {
            JsonNode node = JsonTrees.parse(bytes);
            return node == null || !node.isObject() ? null : node;
        } catch (IOException e) {
            throw new RegistryException("Docker config " + configFile + " is not valid JSON (" + e.getMessage()
                    + "); fix it or move it away", e);
        }
    }

    /** docker/cli's credentials.ConvertToHostname: drops the scheme and anything after the host. */
    static String hostname(String address) {
        String stripped = address;
        if (stripped.startsWith("http://")) {
            stripped = stripped.substring("http://".length());
        } else if (stripped.startsWith("https://")) {
            stripped = stripped.substring("https://".length());
        }
        int slash = stripped.indexOf('/');
        return slash < 0 ? stripped : stripped.substring(0, slash);
    }

    private static String textOrNull(JsonNode node) {
        return node == null || !node.isTextual() ? null : node.asText();
    }
}
