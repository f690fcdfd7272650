package dev.wharf.context.sources;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A proxy selector from {@code HTTP_PROXY}, {@code HTTPS_PROXY} and {@code NO_PROXY} (upper or lower case, the
 * upper case first), as Go's {@code http.ProxyFromEnvironment} reads them for BuildKit's HTTP source: {@code
 * localhost} and loopback addresses are never proxied, {@code NO_PROXY=*} disables proxies, and a {@code NO_PROXY}
 * entry matches the host itself or, for {@code .example.com} and {@code example.com}, its subdomains. A proxy
 * value without a scheme is taken as {@code http://}. Proxy credentials in the value are not supported (the JDK
 * client takes them from an authenticator). Immutable and thread-safe.
 */
final class EnvProxySelector extends ProxySelector {

    private final Proxy http;
    private final Proxy https;
    private final List<String> noProxy;

    private EnvProxySelector(Proxy http, Proxy https, List<String> noProxy) {
        this.http = http;
        this.https = https;
        this.noProxy = List.copyOf(noProxy);
    }

    /** The selector for {@code env}. */
    static EnvProxySelector of(Map<String, String> env) {
        List<String> no = new ArrayList<>();
        for (String entry : get(env, "NO_PROXY").split(",")) {
            String e = entry.strip().toLowerCase(Locale.ROOT);
            if (!e.isEmpty()) {
                no.add(e);
            }
        }
        return new EnvProxySelector(proxy(get(env, "HTTP_PROXY")), proxy(get(env, "HTTPS_PROXY")), no);
    }

    private static String get(Map<String, String> env, String name) {
        String upper = env.get(name);
        if (upper != null && !upper.isEmpty()) {
            return upper;
        }
        String lower = env.get(name.toLowerCase(Locale.ROOT));
        return lower == null ? "" : lower;
    }

    private static Proxy proxy(String value) {
        if (value.isEmpty()) {
            return Proxy.NO_PROXY;
        }
        URI uri = URI.create(value.contains("://") ? value : "http://" + value);
        if (uri.getHost() == null) {
            return Proxy.NO_PROXY;
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port));
    }

    @Override
    public List<Proxy> select(URI uri) {
        Proxy chosen = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (chosen == Proxy.NO_PROXY || bypass(host, uri.getPort())) {
            return List.of(Proxy.NO_PROXY);
        }
        return List.of(chosen);
    }

    private boolean bypass(String host, int port) {
        if (host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]")) {
            return true;
        }
        for (String entry : noProxy) {
            if (entry.equals("*")) {
                return true;
            }
            String name = entry;
            int colon = name.lastIndexOf(':');
            if (colon > 0 && !name.contains("]") && name.indexOf(':') == colon) {
                if (port > 0 && !name.substring(colon + 1).equals(Integer.toString(port))) {
                    continue;
                }
                name = name.substring(0, colon);
            }
            String bare = name.startsWith(".") ? name.substring(1) : name;
            if (host.equals(bare) || host.endsWith("." + bare)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // Nothing to remember: each request selects again.
    }
}
