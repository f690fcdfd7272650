package dev.wharf.builder.plan;

/**
 * Recognises IP address literals the way Go's {@code net.ParseIP} does: dotted-decimal IPv4 (no leading zeros)
 * and IPv6 (with {@code ::} and an optional trailing IPv4 part, no zone). Never resolves host names.
 *
 * <p>Stateless and thread-safe.
 */
public final class IpAddresses {

    private IpAddresses() {
    }

    /** Whether {@code s} is an IPv4 or IPv6 literal. */
    public static boolean isValid(String s) {
        return isIpv4(s) || isIpv6(s);
    }

    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < part.length(); i++) {
                if (!Character.isDigit(part.charAt(i)) || part.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String s) {
        int ellipsis = s.indexOf("::");
        if (ellipsis >= 0 && s.indexOf("::", ellipsis + 1) >= 0) {
            return false;
        }
        int groups;
        if (ellipsis >= 0) {
            String head = s.substring(0, ellipsis);
            String tail = s.substring(ellipsis + 2);
            int h = head.isEmpty() ? 0 : countGroups(head, false);
            int t = tail.isEmpty() ? 0 : countGroups(tail, true);
            if (h < 0 || t < 0) {
                return false;
            }
            groups = h + t;
            return groups <= 7;
        }
        groups = countGroups(s, true);
        return groups == 8;
    }

    /** The number of 16-bit groups in {@code s} (an IPv4 tail counts two); -1 when malformed. */
    private static int countGroups(String s, boolean ipv4TailAllowed) {
        String[] parts = s.split(":", -1);
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (ipv4TailAllowed && i == parts.length - 1 && part.indexOf('.') >= 0) {
                if (!isIpv4(part)) {
                    return -1;
                }
                count += 2;
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return -1;
            }
            for (int j = 0; j < part.length(); j++) {
                if (Character.digit(part.charAt(j), 16) < 0 || part.charAt(j) > 'f') {
                    return -1;
                }
            }
            count++;
        }
        return count;
    }
}
