package dev.wharf.layers.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * Decides which registries (and token realms) may be reached over plain HTTP: loopback addresses
 * ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}) and the registries the user named insecure; everything
 * else is HTTPS only, like Docker's {@code insecure-registries} with its implicit {@code 127.0.0.0/8}.
 *
 * <p>Immutable and thread-safe.
 */
final class PlainHttpPolicy {
    private final Set<String> insecureRegistries;

    PlainHttpPolicy(Set<String> insecureRegistries) {
        this.insecureRegistries = Set.copyOf(insecureRegistries);
    }

    /** Tells whether {@code host[:port]} may be reached over plain HTTP. */
    boolean allows(String hostAndPort) {
        if (hostAndPort == null) {
            return false;
        }
        return insecureRegistries.contains(hostAndPort) || isLoopback(hostAndPort);
    }

    /**
     * Tells whether docker build's resolver would first try HTTPS at {@code host[:port]} although wharf speaks plain
     * HTTP there: a loopback registry not named insecure. BuildKit (in dockerd) tries TLS at it first and falls back
     * to plain HTTP only when the answer to its handshake is plain HTTP, so a registry it cannot reach at all is
     * reported with the https URL ({@code Head "https://127.0.0.1:5999/v2/..."}); one named insecure is plain HTTP
     * from the start.
     */
    boolean buildKitTriesTls(String hostAndPort) {
        return hostAndPort != null && !insecureRegistries.contains(hostAndPort) && isLoopback(hostAndPort);
    }

    static boolean isLoopback(String hostAndPort) {
        String host = hostAndPort;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end < 0 ? host : host.substring(1, end);
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        // Literal addresses only: resolving a name here would let DNS decide that TLS is off.
        if (!host.matches("[0-9.]+") && !host.matches("[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
