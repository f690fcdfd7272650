package dev.wharf.builder.api;

import dev.wharf.builder.plan.IpAddresses;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code --add-host HOST:IP} entry: a line RUN steps find in their {@code /etc/hosts}, as BuildKit adds it
 * ({@code executor/oci/hosts.go}). An immutable record.
 *
 * @param host    the host name
 * @param address an IPv4 or IPv6 address literal
 */
public record ExtraHost(String host, String address) {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");

    /**
     * The name docker gives the address of the host; RUN steps share the host's network here (wharf has no bridge
     * network), so the host is reachable on loopback.
     */
    public static final String HOST_GATEWAY = "host-gateway";

    /** Validates. */
    public ExtraHost {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("invalid host name '" + host + "' in --add-host");
        }
        // As docker's opts.ValidateExtraHost, which takes what Go's net.ParseIP takes.
        if (!IpAddresses.isValid(address)) {
            throw new IllegalArgumentException("invalid IP address '" + address + "' in --add-host " + host
                    + "; give an IPv4 or IPv6 address or " + HOST_GATEWAY);
        }
    }

    /**
     * Parses docker's forms {@code HOST:IP} and {@code HOST=IP} (the IP may be an IPv6 literal, also in brackets),
     * with {@code host-gateway} for the host's own address.
     *
     * @throws IllegalArgumentException naming the expected form
     */
    public static ExtraHost parse(String text) {
        int eq = text.indexOf('=');
        int colon = text.indexOf(':');
        int at = eq >= 0 && (colon < 0 || eq < colon) ? eq : colon;
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("invalid --add-host '" + text + "'; give HOST:IP, e.g. "
                    + "db.local:10.0.0.5");
        }
        String host = text.substring(0, at);
        String address = text.substring(at + 1);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        if (address.equals(HOST_GATEWAY)) {
            address = "127.0.0.1";
        }
        return new ExtraHost(host, address);
    }

    /** The {@code /etc/hosts} line, as BuildKit writes it: address, a tab, the name. */
    public String hostsLine() {
        return address + "\t" + host;
    }
}
