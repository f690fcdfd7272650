package dev.wharf.builder.sandbox;

import dev.wharf.builder.plan.IpAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code /etc/resolv.conf} a RUN step sees, derived from the host's as BuildKit does it
 * ({@code executor/oci/resolvconf.go}, {@code GetResolvConf}, and {@code util/resolvconf}): nameserver, search
 * (the last {@code search} or {@code domain} line), options (accumulated) and any other directive, comments dropped.
 * With the host's network the nameservers are kept as they are (a local resolver is reachable there); otherwise
 * loopback nameservers are dropped ({@code TransformForLegacyNw}) and, when none remain, Google's public resolvers
 * are used. For a network other than the host's, a host whose only nameserver is systemd-resolved's
 * {@code 127.0.0.53} is read from {@code /run/systemd/resolve/resolv.conf} instead. Stateless.
 */
public final class ResolvConf {
    /** BuildKit's {@code defaultPath}. */
    public static final Path HOST_FILE = Path.of("/etc/resolv.conf");
    /** BuildKit's {@code alternatePath}, systemd-resolved's upstream list. */
    public static final Path RESOLVED_FILE = Path.of("/run/systemd/resolve/resolv.conf");
    /** {@code defaultIPv4NSs} then {@code defaultIPv6NSs} (IPv6 kept, as BuildKit passes {@code ipv6=true}). */
    static final List<String> DEFAULT_NAMESERVERS = List.of("8.8.8.8", "8.8.4.4", "2001:4860:4860::8888",
            "2001:4860:4860::8844");

    private ResolvConf() {
    }

    /** The generated file for a host file's text ({@code null} when it does not exist). */
    public static String generate(String hostText, NetworkMode network) {
        List<String> nameservers = new ArrayList<>();
        List<String> search = List.of();
        List<String> options = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String line : hostText == null ? new String[0] : hostText.split("\n", -1)) {
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 0 || fields[0].isEmpty()) {
                continue;
            }
            switch (fields[0]) {
                case "nameserver" -> {
                    if (fields.length >= 2 && isAddress(fields[1])) {
                        nameservers.add(fields[1]);
                    }
                }
                case "domain", "search" -> {
                    if (fields.length >= 2) {
                        search = List.of(fields).subList(1, fields.length);
                    }
                }
                case "options" -> options.addAll(List.of(fields).subList(1, fields.length));
                default -> other.add(line);
            }
        }
        if (network != NetworkMode.HOST || nameservers.isEmpty()) {
            nameservers.removeIf(ResolvConf::isLoopback);
            if (nameservers.isEmpty()) {
                nameservers.addAll(DEFAULT_NAMESERVERS);
            }
        }
        StringBuilder out = new StringBuilder();
        for (String ns : nameservers) {
            out.append("nameserver ").append(ns).append('\n');
        }
        if (!search.isEmpty()) {
            out.append("search ").append(String.join(" ", search)).append('\n');
        }
        if (!options.isEmpty()) {
            out.append("options ").append(String.join(" ", options)).append('\n');
        }
        for (String o : other) {
            out.append(o).append('\n');
        }
        return out.toString();
    }

    /** The host file BuildKit reads for {@code network}: see the class comment. */
    public static Path hostFile(NetworkMode network) {
        if (network == NetworkMode.HOST) {
            return HOST_FILE;
        }
        try {
            String text = Files.readString(HOST_FILE);
            List<String> ns = new ArrayList<>();
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver") && isAddress(f[1])) {
                    ns.add(f[1]);
                }
            }
            return ns.equals(List.of("127.0.0.53")) ? RESOLVED_FILE : HOST_FILE;
        } catch (IOException e) {
            return HOST_FILE;
        }
    }

    /** Reads this host's file for {@code network} and generates the sandbox's text. */
    public static String forHost(NetworkMode network) throws IOException {
        String text;
        try {
            text = Files.readString(hostFile(network));
        } catch (NoSuchFileException e) {
            text = null;
        }
        return generate(text, network);
    }

    private static boolean isAddress(String s) {
        int zone = s.indexOf('%');
        return IpAddresses.isValid(zone > 0 && s.contains(":") ? s.substring(0, zone) : s);
    }

    private static boolean isLoopback(String address) {
        int zone = address.indexOf('%');
        try {
            // A literal (checked by isAddress), so no name is ever looked up.
            return InetAddress.getByName(zone > 0 ? address.substring(0, zone) : address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
