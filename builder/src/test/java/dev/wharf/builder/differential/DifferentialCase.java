package dev.wharf.builder.differential;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * One differential case of {@code testdata/differential/NN-name/}: a Dockerfile and its context, plus what its
 * optional {@code case.properties} says.
 *
 * <p>Keys of {@code case.properties}: {@code target}; {@code arg.NAME} (a build argument); {@code secret.ID} (the
 * content of a secret, written to a file outside the context); {@code hardlink.N=EXISTING NEW} and
 * {@code xattr.N=PATH NAME=VALUE} and {@code special.N=PATH fifo|socket} and {@code dir.N=PATH} (an empty directory) and
 * {@code owner.N=PATH UID:GID} and {@code mode.N=PATH OCTAL} (permission bits with set-id and sticky bits,
 * set after the directories and owners) (context
 * details git cannot store, made in the copy of the context before both builds); {@code expect.N=KEY REASON} (a known, justified difference: every reported difference whose key starts
 * with KEY is accepted); {@code git.NAME=DIR} (the case's DIR served as the git repository {@code NAME.git} over
 * smart HTTP on 127.0.0.1, its files committed and tagged {@code v1}, then a second commit on {@code main}; both
 * builds get the server's {@code http://127.0.0.1:PORT} as the build argument {@code GIT_SERVER});
 * {@code context=NAME#FRAGMENT} (build that repository's URL with the fragment as the context instead of the case
 * directory); {@code file=PATH} (the Dockerfile at that path of the context, {@code -f}); {@code label.NAME=VALUE}
 * ({@code --label}); {@code mtime.N=PATH SECONDS} (the modification time of a context path, not following a symlink,
 * set last); {@code compare=mtimes,headers} (compare the layers' mtimes, {@link ImageComparison#compareMtimes}, and
 * header bytes, {@link ImageComparison#compareHeaders}, too).
 * Immutable.
 *
 * @param name       the directory name
 * @param dir        the case directory
 * @param target     the stage to build, if any
 * @param args       build arguments
 * @param secrets    secret contents by id
 * @param hardlinks  pairs [existing, new] of context paths
 * @param xattrs     triples [path, name, value] of user xattrs to set on context files
 * @param specials   pairs [path, fifo|socket] of special files to make in the context
 * @param dirs       empty directories to make in the context
 * @param modes      pairs [path, octal mode] to set on context paths
 * @param owners     pairs [path, uid:gid] to set on context paths (not following symlinks)
 * @param expected   accepted difference key prefixes with their reasons
 * @param git        repositories to serve: name to the case's directory of their files
 * @param gitContext a served repository's name and fragment to build as the context, if any
 * @param file       the Dockerfile's path in the context ({@code -f}), if not the default
 * @param labels     {@code --label} values
 * @param mtimes     pairs [path, seconds] of modification times to set on context paths
 * @param compare    what is compared beyond the entries: {@code mtimes}, {@code headers}
 */
record DifferentialCase(String name, Path dir, Optional<String> target, Map<String, String> args,
        Map<String, String> secrets, List<List<String>> hardlinks, List<List<String>> xattrs,
        List<List<String>> specials, List<String> dirs, List<List<String>> modes, List<List<String>> owners,
        Map<String, String> expected, Map<String, String> git, Optional<String> gitContext, Optional<String> file,
        Map<String, String> labels, List<List<String>> mtimes, java.util.Set<String> compare) {
    DifferentialCase {
        mtimes = List.copyOf(mtimes);
        compare = java.util.Set.copyOf(compare);
        labels = Map.copyOf(labels);
        git = Map.copyOf(git);
        args = Map.copyOf(args);
        secrets = Map.copyOf(secrets);
        hardlinks = List.copyOf(hardlinks);
        xattrs = List.copyOf(xattrs);
        specials = List.copyOf(specials);
        dirs = List.copyOf(dirs);
        modes = List.copyOf(modes);
        owners = List.copyOf(owners);
        expected = Map.copyOf(expected);
    }

    /** Reads the case in {@code dir}. */
    static DifferentialCase read(Path dir) throws IOException {
        Properties p = new Properties();
        Path file = dir.resolve("case.properties");
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
        }
        Map<String, String> args = new TreeMap<>();
        Map<String, String> secrets = new TreeMap<>();
        List<List<String>> hardlinks = new ArrayList<>();
        List<List<String>> xattrs = new ArrayList<>();
        List<List<String>> specials = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        List<List<String>> modes = new ArrayList<>();
        List<List<String>> owners = new ArrayList<>();
        Map<String, String> expected = new TreeMap<>();
        Optional<String> target = Optional.empty();
        Map<String, String> git = new TreeMap<>();
        Optional<String> gitContext = Optional.empty();
        Optional<String> dockerfile = Optional.empty();
        Map<String, String> labels = new TreeMap<>();
        List<List<String>> mtimes = new ArrayList<>();
        java.util.Set<String> compare = new java.util.TreeSet<>();
        for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
            String value = p.getProperty(key).strip();
            if (key.equals("target")) {
                target = Optional.of(value);
            } else if (key.startsWith("arg.")) {
                args.put(key.substring(4), value);
            } else if (key.startsWith("secret.")) {
                secrets.put(key.substring(7), value);
            } else if (key.startsWith("hardlink.")) {
                hardlinks.add(List.of(value.split("\\s+", 2)));
            } else if (key.startsWith("xattr.")) {
                String[] parts = value.split("\\s+", 2);
                int eq = parts[1].indexOf('=');
                xattrs.add(List.of(parts[0], parts[1].substring(0, eq), parts[1].substring(eq + 1)));
            } else if (key.startsWith("special.")) {
                List<String> special = List.of(value.split("\\s+", 2));
                if (special.size() != 2 || !List.of("fifo", "socket").contains(special.get(1))) {
                    throw new IOException(file + ": " + key + " needs PATH fifo|socket");
                }
                specials.add(special);
            } else if (key.startsWith("dir.")) {
                dirs.add(value);
            } else if (key.startsWith("mode.")) {
                List<String> mode = List.of(value.split("\\s+", 2));
                if (mode.size() != 2 || !mode.get(1).matches("[0-7]{3,4}")) {
                    throw new IOException(file + ": " + key + " needs PATH OCTAL");
                }
                modes.add(mode);
            } else if (key.startsWith("owner.")) {
                List<String> owner = List.of(value.split("\\s+", 2));
                if (owner.size() != 2 || !owner.get(1).matches("[0-9]+:[0-9]+")) {
                    throw new IOException(file + ": " + key + " needs PATH UID:GID");
                }
                owners.add(owner);
            } else if (key.startsWith("git.")) {
                git.put(key.substring(4), value);
            } else if (key.equals("file")) {
                dockerfile = Optional.of(value);
            } else if (key.startsWith("label.")) {
                labels.put(key.substring(6), value);
            } else if (key.startsWith("mtime.")) {
                List<String> mtime = List.of(value.split("\\s+", 2));
                if (mtime.size() != 2 || !mtime.get(1).matches("[0-9]+")) {
                    throw new IOException(file + ": " + key + " needs PATH SECONDS");
                }
                mtimes.add(mtime);
            } else if (key.equals("compare")) {
                for (String what : value.split("\\s*,\\s*")) {
                    if (!List.of("mtimes", "headers").contains(what)) {
                        throw new IOException(file + ": compare takes mtimes and headers, not " + what);
                    }
                    compare.add(what);
                }
            } else if (key.equals("context")) {
                gitContext = Optional.of(value);
            } else if (key.startsWith("expect.")) {
                String[] parts = value.split("\\s+", 2);
                if (parts.length < 2 || parts[1].isBlank()) {
                    throw new IOException(file + ": " + key + " needs a reason after the key");
                }
                expected.put(parts[0], parts[1]);
            } else {
                throw new IOException(file + ": unknown key " + key);
            }
        }
        if (gitContext.isPresent() && !git.containsKey(gitContext.get().split("#", 2)[0])) {
            throw new IOException(file + ": context names no git.NAME repository");
        }
        return new DifferentialCase(dir.getFileName().toString(), dir, target, args, secrets, hardlinks, xattrs,
                specials, dirs, modes, owners, expected, git, gitContext, dockerfile, labels, mtimes, compare);
    }

    /** Whether the layers' mtimes are compared. */
    boolean compareMtimes() {
        return compare.contains("mtimes");
    }

    /** Whether the layers' header bytes are compared. */
    boolean compareHeaders() {
        return compare.contains("headers");
    }

    /** The reason a difference with {@code key} is expected, if it is. */
    Optional<String> expectation(String key) {
        return expected.entrySet().stream().filter(e -> key.startsWith(e.getKey())).map(Map.Entry::getValue)
                .findFirst();
    }

    @Override
    public String toString() {
        return name;
    }
}
