package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.RootView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns a Dockerfile {@code USER} value ({@code name}, {@code uid}, {@code name:group}, {@code uid:gid}) into numeric
 * ids through the image's {@code /etc/passwd} and {@code /etc/group}, exactly as BuildKit's
 * {@code executor/oci/user.go} ({@code GetUser}) with moby/sys/user's {@code GetExecUser}:
 * <ul>
 *   <li>empty means {@code 0}, and a failed lookup of that default still gives root;</li>
 *   <li>{@code uid:gid} with both numeric (or {@code root}) is taken as is: no file is read, no supplementary
 *       groups;</li>
 *   <li>otherwise the user is found by name, or by uid when numeric (a numeric uid without an entry is used with
 *       gid 0); without an explicit group, the primary gid comes from the passwd entry and the supplementary
 *       groups are every group listing the user's name; an explicit group is found by name or gid and then there
 *       are no supplementary groups.</li>
 * </ul>
 * The files are read through {@link RootView} (symlinks stay inside the root) and must be regular files of at most
 * 10 MiB, as in BuildKit's {@code openUserFile}. Stateless and thread-safe.
 */
public final class UserResolver {
    private static final long MAX_USER_FILE_BYTES = 10L << 20;

    private record PasswdEntry(String name, long uid, long gid) {
    }

    private record GroupEntry(String name, long gid, List<String> members) {
    }

    /** Resolves {@code user} against the root filesystem {@code root}. */
    public ProcessUser resolve(String user, RootView root) throws SandboxException {
        boolean isDefault = user == null || user.isEmpty();
        String spec = isDefault ? "0" : user;
        Optional<long[]> both = parseUidGid(spec);
        if (both.isPresent()) {
            return new ProcessUser(both.get()[0], both.get()[1], List.of());
        }
        try {
            return lookup(spec, readLines(root, "/etc/passwd"), readLines(root, "/etc/group"));
        } catch (SandboxException e) {
            if (isDefault) {
                return ProcessUser.ROOT;
            }
            throw e;
        }
    }

    /**
     * Resolves the owner of files a step writes ({@code COPY/ADD --chown}, and WORKDIR's directories after
     * {@code USER}) as BuildKit's file operations do, which differs from {@link #resolve} for processes: the value
     * splits at the first colon ({@code llb.WithUser}); a numeric (or {@code root}) user means that uid AND that gid
     * unless a group follows; a user name takes uid and primary gid from {@code /etc/passwd}; a group name takes its
     * gid from {@code /etc/group}; a name that is not found (or a missing file) leaves 0, without an error
     * ({@code readUser} in solver/llbsolver/ops/user_linux.go). No supplementary groups. A part is numeric as
     * {@code llb.WithUser}'s {@code parseUID} reads it, {@code strconv.ParseInt(s, 10, 32)}: an optional sign and a
     * signed 32-bit range, sent as {@code uint32} ({@code -1} is 4294967295, and 4294967294 is a name); an empty part
     * is the name {@code ""}, which {@code UserOpt.marshal} sends as id 0 ({@code 7:} is 7:0, {@code :5} is 0:5).
     */
    public ProcessUser resolveFileOwner(String chown, RootView root) throws SandboxException {
        int colon = chown.indexOf(':');
        String userPart = colon < 0 ? chown : chown.substring(0, colon);
        long uid = 0;
        long gid = 0;
        OptionalLong uidArg = parseFileOwnerId(userPart);
        if (uidArg.isPresent()) {
            uid = uidArg.getAsLong();
            gid = uid;
        } else {
            for (PasswdEntry e : readLines(root, "/etc/passwd").map(UserResolver::parsePasswd).orElse(List.of())) {
                if (e.name.equals(userPart)) {
                    uid = e.uid;
                    gid = e.gid;
                    break;
                }
            }
        }
        if (colon >= 0) {
            String groupPart = chown.substring(colon + 1);
            OptionalLong gidArg = parseFileOwnerId(groupPart);
            if (gidArg.isPresent()) {
                gid = gidArg.getAsLong();
            } else {
                for (GroupEntry g : readLines(root, "/etc/group").map(UserResolver::parseGroup).orElse(List.of())) {
                    if (g.name.equals(groupPart)) {
                        gid = g.gid;
                        break;
                    }
                }
            }
        }
        return new ProcessUser(uid, gid, List.of());
    }

    private ProcessUser lookup(String spec, Optional<List<String>> passwd, Optional<List<String>> group)
            throws SandboxException {
        int colon = spec.indexOf(':');
        String userArg = colon < 0 ? spec : spec.substring(0, colon);
        String groupArg = colon < 0 ? "" : spec.substring(colon + 1);
        OptionalLong uidArg = parseId(userArg);
        OptionalLong gidArg = parseId(groupArg);

        long uid = 0;
        long gid = 0;
        String matchedName = "";
        PasswdEntry found = null;
        for (PasswdEntry e : passwd.map(UserResolver::parsePasswd).orElse(List.of())) {
            boolean match = userArg.isEmpty() ? e.uid == 0
                    : uidArg.isPresent() ? e.uid == uidArg.getAsLong() : e.name.equals(userArg);
            if (match) {
                found = e;
                break;
            }
        }
        if (found != null) {
            uid = found.uid;
            gid = found.gid;
            matchedName = found.name;
        } else if (!userArg.isEmpty()) {
            if (uidArg.isEmpty()) {
                throw new SandboxException("unable to find user " + userArg + ": no matching entries in passwd file");
            }
            uid = uidArg.getAsLong();
        }

        List<Long> sgids = new ArrayList<>();
        if (!groupArg.isEmpty() || !matchedName.isEmpty()) {
            List<GroupEntry> groups = new ArrayList<>();
            for (GroupEntry g : group.map(UserResolver::parseGroup).orElse(List.of())) {
                boolean match = groupArg.isEmpty() ? g.members.contains(matchedName)
                        : gidArg.isPresent() ? g.gid == gidArg.getAsLong() : g.name.equals(groupArg);
                if (match) {
                    groups.add(g);
                }
            }
            if (!groupArg.isEmpty()) {
                if (!groups.isEmpty()) {
                    gid = groups.get(0).gid;
                } else if (gidArg.isEmpty()) {
                    throw new SandboxException("unable to find group " + groupArg
                            + ": no matching entries in group file");
                } else {
                    gid = gidArg.getAsLong();
                }
            } else {
                for (GroupEntry g : groups) {
                    sgids.add(g.gid);
                }
            }
        }
        return new ProcessUser(uid, gid, sgids);
    }

    /** BuildKit's {@code ParseUIDGID}: both parts present and numeric or {@code root}. */
    private static Optional<long[]> parseUidGid(String spec) {
        String[] parts = spec.split(":", 2);
        if (parts.length != 2) {
            return Optional.empty();
        }
        OptionalLong uid = parseIdOrRoot(parts[0]);
        OptionalLong gid = parseIdOrRoot(parts[1]);
        if (uid.isEmpty() || gid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new long[] {uid.getAsLong(), gid.getAsLong()});
    }

    private static OptionalLong parseIdOrRoot(String s) {
        return s.equals("root") ? OptionalLong.of(0) : parseId(s);
    }

    /**
     * A {@code --chown} part as a numeric id ({@link #resolveFileOwner}): {@code root}, the empty name (id 0 once
     * marshalled), or what Go's {@code strconv.ParseInt(s, 10, 32)} accepts, as {@code uint32}.
     */
    private static OptionalLong parseFileOwnerId(String s) {
        if (s.isEmpty() || s.equals("root")) {
            return OptionalLong.of(0);
        }
        int digits = s.charAt(0) == '+' || s.charAt(0) == '-' ? 1 : 0;
        if (s.length() == digits) {
            return OptionalLong.empty();
        }
        for (int i = digits; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        try {
            return OptionalLong.of(Integer.parseInt(s) & 0xFFFFFFFFL);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A decimal unsigned 32-bit id, as Go's {@code strconv.ParseUint(s, 10, 32)} accepts it. */
    private static OptionalLong parseId(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        long v = Long.parseLong(s);
        return v > 0xFFFFFFFFL ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static Optional<List<String>> readLines(RootView root, String path) throws SandboxException {
        try {
            Optional<Path> file = root.find(path);
            if (file.isEmpty() || !Files.isRegularFile(file.get(), LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            try (InputStream in = Files.newInputStream(file.get())) {
                byte[] bytes = in.readNBytes((int) MAX_USER_FILE_BYTES + 1);
                if (bytes.length > MAX_USER_FILE_BYTES) {
                    throw new SandboxException("\"" + path + "\" exceeds " + MAX_USER_FILE_BYTES + " bytes");
                }
                return Optional.of(List.of(new String(bytes, StandardCharsets.UTF_8).split("\n")));
            }
        } catch (IOException e) {
            throw new SandboxException("cannot read " + path + " of the image: " + e.getMessage(), e);
        }
    }

    /** moby/sys/user {@code parseLine}: trimmed, empty lines skipped, numeric fields that do not parse are 0. */
    private static List<PasswdEntry> parsePasswd(List<String> lines) {
        List<PasswdEntry> entries = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(":", -1);
            entries.add(new PasswdEntry(f[0], field(f, 2), field(f, 3)));
        }
        return entries;
    }

    private static List<GroupEntry> parseGroup(List<String> lines) {
        List<GroupEntry> entries = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(":", -1);
            List<String> members = f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",", -1)) : List.of();
            entries.add(new GroupEntry(f[0], field(f, 2), members));
        }
        return entries;
    }

    /**
     * A numeric field as moby/sys/user's {@code parseParts} reads it, {@code strconv.Atoi} into a 64-bit Go int (a
     * syntax error is 0, a value beyond int64 is clamped), which the chown then hands to the kernel as a 32-bit id:
     * 4294967294 (RHEL's old nfsnobody) is that uid, not 0.
     */
    private static long field(String[] fields, int index) {
        if (index >= fields.length) {
            return 0;
        }
        String f = fields[index];
        try {
            return Long.parseLong(f) & 0xFFFFFFFFL;
        } catch (NumberFormatException e) {
            return f.matches("\\+?[0-9]+") ? 0xFFFFFFFFL : 0;
        }
    }
}
