package dev.wharf.builder.plan;

import dev.wharf.grammar.DockerfileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses EXPOSE port specifications ({@code [ip:[hostPort]:]port[-end][/proto]}) into {@code port/proto}
 * entries: BuildKit's {@code portSpecs.parsePorts} (dockerfile2llb/convert_expose.go), with its messages.
 *
 * <p>Stateless and thread-safe.
 */
public final class PortSpecs {

    private PortSpecs() {
    }

    /** Every {@code port/proto} the specs name, in order. Errors are unlocated. */
    public static List<String> parsePorts(List<String> specs) throws DockerfileException {
        List<String> out = new ArrayList<>();
        for (String spec : specs) {
            out.addAll(parsePort(spec));
        }
        return List.copyOf(out);
    }

    /** The {@code port/proto} entries of one spec ({@code 80-81/udp} gives two). */
    public static List<String> parsePort(String raw) throws DockerfileException {
        String[] parts = raw.split(":", -1);
        String ip;
        String hostPort;
        String containerPort;
        switch (parts.length) {
            case 1 -> {
                ip = "";
                hostPort = "";
                containerPort = parts[0];
            }
            case 2 -> {
                ip = "";
                hostPort = parts[0];
                containerPort = parts[1];
            }
            case 3 -> {
                ip = parts[0];
                hostPort = parts[1];
                containerPort = parts[2];
            }
            default -> {
                int n = parts.length;
                ip = String.join(":", java.util.Arrays.copyOf(parts, n - 2));
                hostPort = parts[n - 2];
                containerPort = parts[n - 1];
            }
        }
        int slash = containerPort.indexOf('/');
        String port = slash < 0 ? containerPort : containerPort.substring(0, slash);
        String proto = slash < 0 ? "" : containerPort.substring(slash + 1);
        if (port.isEmpty()) {
            throw error("invalid port: " + GoQuote.quote(raw) + ": no port specified");
        }
        switch (proto.toLowerCase(Locale.ROOT)) {
            case "" -> proto = "tcp";
            case "tcp", "udp", "sctp" -> {
            }
            default -> throw error("invalid port: " + GoQuote.quote(raw) + ": invalid proto: " + proto);
        }
        if (!ip.isEmpty() && ip.charAt(0) == '[') {
            // net.SplitHostPort(ip + ":"): the bracketed host without its brackets.
            int close = ip.indexOf(']');
            if (close != ip.length() - 1) {
                throw error("invalid IP address " + ip + ": address " + ip + ": missing port in address");
            }
            ip = ip.substring(1, close);
        }
        if (!ip.isEmpty() && !IpAddresses.isValid(ip)) {
            throw error("invalid IP address: " + ip);
        }
        long[] range = parseRange(port).orElseThrow(() -> error("invalid containerPort: " + port));
        if (!hostPort.isEmpty()) {
            long[] host = parseRange(hostPort).orElseThrow(() -> error("invalid hostPort: " + hostPort));
            if (range[1] - range[0] != host[1] - host[0] && range[1] != range[0]) {
                throw error("invalid ranges specified for container and host Ports: " + port + " and " + hostPort);
            }
        }
        List<String> out = new ArrayList<>();
        for (long p = range[0]; p <= range[1]; p++) {
            out.add(p + "/" + proto.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }

    /** {@code start[-end]} within 0..65535, end not below start; empty when invalid. */
    private static Optional<long[]> parseRange(String ports) {
        if (ports.isEmpty()) {
            return Optional.empty();
        }
        int dash = ports.indexOf('-');
        String start = dash < 0 ? ports : ports.substring(0, dash);
        Optional<Long> first = portNumber(start);
        if (first.isEmpty()) {
            return Optional.empty();
        }
        if (dash < 0 || start.equals(ports.substring(dash + 1))) {
            return Optional.of(new long[] {first.get(), first.get()});
        }
        Optional<Long> last = portNumber(ports.substring(dash + 1));
        if (last.isEmpty() || last.get() < first.get()) {
            return Optional.empty();
        }
        return Optional.of(new long[] {first.get(), last.get()});
    }

    private static Optional<Long> portNumber(String raw) {
        Optional<Long> n = GoAtoi.parse(raw);
        return n.filter(v -> v >= 0 && v <= 65535);
    }

    private static DockerfileException error(String reason) {
        return new DockerfileException(null, null, reason);
    }
}
