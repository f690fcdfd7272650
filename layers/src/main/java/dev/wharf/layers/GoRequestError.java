package dev.wharf.layers;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/**
 * A failed HTTP request in the words of Go's {@code net/http}, which BuildKit's errors end with: {@code url.Error}'s
 * {@code Get "http://127.0.0.1:9/x": dial tcp 127.0.0.1:9: connect: connection refused}. Users compare wharf's
 * failures with docker build's, and search the web by those words.
 *
 * <p>Only what the JDK's client tells honestly: the method and URL wharf used (which may differ from BuildKit's, e.g.
 * GET where containerd's resolver sends HEAD), the name's first IPv4 address for the address dialed (Go prints the
 * address it dialed after the lookup, the first one for a name like {@code localhost}; the JDK does not say which
 * it tried), no DNS server (Go names the resolver it asked).
 */
public final class GoRequestError {
    private GoRequestError() {
    }

    /**
     * {@code Method "URL": CAUSE}, the method title-cased as Go's {@code url.Error} has it ({@code Get}, {@code
     * Head}), the cause as Go's dialer words it when the JDK's exception says which.
     */
    public static String of(String method, URI uri, IOException e) {
        return op(method) + " \"" + uri + "\": " + cause(uri, e);
    }

    private static String op(String method) {
        return method.isEmpty() ? method
                : method.charAt(0) + method.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String cause(URI uri, IOException e) {
        Throwable root = e;
        boolean refused = false;
        boolean noRoute = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "dial tcp: lookup " + uri.getHost() + ": no such host";
            }
            // The JDK's client throws a ConnectException whose cause may be a bare ClosedChannelException.
            refused |= t instanceof ConnectException;
            noRoute |= t instanceof java.net.NoRouteToHostException;
            root = t;
        }
        String address = dialed(uri.getHost()) + ":" + port(uri);
        if (e instanceof HttpConnectTimeoutException) {
            return "dial tcp " + address + ": i/o timeout";
        }
        if (noRoute) {
            return "dial tcp " + address + ": connect: no route to host";
        }
        if (refused) {
            // The JDK's client wraps every failed connect in a ConnectException, so only the socket's own error
            // tells a refused port from EINVAL, ENETUNREACH and the like; it is strerror's text, which Go's syscall
            // errors give in lower case. A bare refused connect ends in a ClosedChannelException with no words.
            String errno = root instanceof java.net.SocketException && root.getMessage() != null
                    ? root.getMessage().toLowerCase(Locale.ROOT) : "connection refused";
            return "dial tcp " + address + ": connect: " + errno;
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }

    /**
     * The address Go's dialer names for a host: a literal as it is, a name as its first address when that is IPv4
     * (as the JDK orders them by default); else the name as written, rather than an IPv6 form Go would print
     * differently.
     */
    private static String dialed(String host) {
        if (host == null || host.startsWith("[") || host.matches("[0-9.]+")) {
            return host;
        }
        try {
            java.net.InetAddress first = java.net.InetAddress.getAllByName(host)[0];
            return first instanceof java.net.Inet4Address ? first.getHostAddress() : host;
        } catch (UnknownHostException | SecurityException e) {
            return host;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /**
     * containerd's {@code ErrUnexpectedStatus} ({@code remotes/errors}): {@code unexpected status from HEAD request
     * to URL: 403 Forbidden}, the status as Go's server-side text gives it for the usual codes (the JDK's client
     * does not expose the reason phrase the registry sent).
     */
    public static String unexpectedStatus(String method, URI uri, int status) {
        return "unexpected status from " + method.toUpperCase(Locale.ROOT) + " request to " + uri + ": " + status
                + statusText(status);
    }

    /** Go's http.StatusText of the codes registries answer with, after a space; empty for others. */
    private static String statusText(int status) {
        String text = switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
        return text.isEmpty() ? "" : " " + text;
    }
}
