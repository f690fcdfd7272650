/*
 * wharf-sandbox: the built-in sandbox's setup in one process (see UnshareSandbox and NativeSandboxHelper).
 *
 * The shell path of the built-in sandbox starts about ten programs per RUN (setpriv, unshare, sh, mount, cp, ip,
 * env, setpriv, unshare again); this does the same work with system calls: enter the cgroups, unshare the mount,
 * UTS, IPC, PID (and network) namespaces, fork the namespace's PID 1, perform the mount plan that the JVM computed
 * (root filesystem, /proc, /dev and its nodes, /dev/pts, /dev/shm, /sys, masked and read-only paths, /etc/hosts,
 * /etc/resolv.conf, the step's mounts), bring lo up, set the hostname, move the new root over / and chroot into it
 * (as switch_root does), set rlimits, no_new_privs, the capability bounding set, gid, groups and uid, and exec the
 * command as PID 1.
 *
 * Usage (argv is produced by NativeSandboxHelper; every path is absolute on the host):
 *   wharf-sandbox [OPTION|OP]... -- COMMAND [ARG]...
 * options:
 *   parent PID          first if given: exit at once unless PID is the parent (the JVM), and die with it
 *   cgroup PROCS        write 0 to this cgroup.procs file before unsharing
 *   cgroup2 DIR         start the namespace's PID 1 in this cgroup v2 directory (clone3 CLONE_INTO_CGROUP);
 *                       on kernels without it (before 5.7), this process joins it by its cgroup.procs instead
 *   net                 a new network namespace (lo is brought up)
 *   hostname NAME       the UTS hostname
 *   root DIR            the mount point of the new root
 *   host                only new mount and PID namespaces, and the command runs in the host's root with this
 *                       process's identity and environment (how an OCI runtime is started: OciRuntimeSandbox)
 *   ready FILE          created once the setup is done, just before the switch and exec; when the command
 *                       cannot be executed, "exec ERRNO\n" is written into it (through a descriptor the exec
 *                       closes), so that the caller can tell that from the command's own exit code
 *   env KEY=VALUE       one entry of the command's environment (it gets nothing else)
 *   rlimit NAME SOFT HARD   a resource limit (NAME as in RLIMIT_NAME, lower case; -1 is unlimited)
 *   caps MASK           the capability bounding set to keep (decimal bit mask)
 *   nnp                 set no_new_privs
 *   uid UID, gid GID    the command's ids
 *   groups LIST         supplementary groups (comma-separated, may be empty); without it they stay as they are
 *   cwd DIR             working directory inside the new root
 * ops, performed in order inside the new mount namespace:
 *   mount SRC TARGET TYPE FLAGS DATA   mount(2); with MS_REMOUNT the target's locked flags are kept, as runc does
 *   mkdir PATH MODE UID GID            mkdir, chowned when made (-1 keeps the owner); an existing one is fine
 *   mkdirs PATH                        mkdir -p, mode 0755
 *   touch PATH                         an empty file unless something exists there
 *   mknod PATH MAJOR MINOR             a character device, mode 0666
 *   symlink TARGET PATH
 *   chdir DIR                          for overlays with relative layer paths
 *   hide PATH                          unmount PATH, or cover it with an empty read-only tmpfs where it is locked;
 *                                      nothing when neither works
 *
 * Exit status: the command's; a signal that ended it is raised again. Setup failures print
 * "wharf-sandbox: ..." on stderr and exit 1 before the ready file exists; a command that cannot be executed
 * exits 127 (not found) or 126.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#define WHARF_CLONE_INTO_CGROUP 0x200000000ULL

/* struct clone_args of <linux/sched.h> up to its cgroup field (CLONE_ARGS_SIZE_VER2), which older headers lack. */
struct wharf_clone_args {
    unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

extern char **environ;

static void die(const char *fmt, ...) {
    int saved = errno;
    va_list ap;
    fputs("wharf-sandbox: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (saved) {
        fprintf(stderr, ": %s", strerror(saved));
    }
    fputc('\n', stderr);
    _exit(1);
}

static const char *need(int argc, char **argv, int i) {
    if (i >= argc) {
        errno = 0;
        die("missing argument after %s", argv[i - 1]);
    }
    return argv[i];
}

static unsigned long long number(const char *s) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s) {
        errno = 0;
        die("not a number: %s", s);
    }
    return v;
}

static long long signed_number(const char *s) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s) {
        errno = 0;
        die("not a number: %s", s);
    }
    return v;
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        die("open %s", path);
    }
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t) n) {
        die("write %s", path);
    }
    close(fd);
}

/* Flags a mount in a user namespace may have locked; a remount must repeat them (runc's getMountFlags). */
static unsigned long locked_flags(const char *target) {
    struct statvfs st;
    if (statvfs(target, &st) != 0) {
        return 0;
    }
    unsigned long flags = 0;
    static const struct { unsigned long st, ms; } map[] = {
        {ST_RDONLY, MS_RDONLY}, {ST_NOSUID, MS_NOSUID}, {ST_NODEV, MS_NODEV}, {ST_NOEXEC, MS_NOEXEC},
        {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (st.f_flag & map[i].st) {
            flags |= map[i].ms;
        }
    }
    return flags;
}

static void do_mount(const char *src, const char *target, const char *type, unsigned long flags, const char *data) {
    if (flags & MS_REMOUNT) {
        unsigned long locked = locked_flags(target) & ~(unsigned long) MS_RDONLY;
        flags |= locked;
    }
    if (mount(src, target, *type ? type : NULL, flags, *data ? data : NULL) != 0) {
        die("mount %s on %s (type %s, flags 0x%lx, %s)", src, target, *type ? type : "none", flags, data);
    }
}

static void do_mkdir(const char *path, mode_t mode, long long uid, long long gid) {
    if (mkdir(path, mode) != 0) {
        if (errno == EEXIST) {
            return;
        }
        die("mkdir %s", path);
    }
    /* mkdir applies the umask, which is 0 here; chmod anyway in case the parent has a default ACL. */
    if (chmod(path, mode) != 0) {
        die("chmod %s", path);
    }
    if ((uid >= 0 || gid >= 0) && lchown(path, (uid_t) uid, (gid_t) gid) != 0) {
        die("chown %s", path);
    }
}

static void do_mkdirs(const char *path) {
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) {
        errno = ENAMETOOLONG;
        die("mkdir -p %s", path);
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                die("mkdir %s", buf);
            }
            *p = '/';
        }
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
        die("mkdir %s", buf);
    }
}

static void do_touch(const char *path, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        if (errno == EEXIST) {
            return;
        }
        die("create %s", path);
    }
    close(fd);
}

static void loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        die("socket");
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
        die("get the flags of lo");
    }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
        die("bring lo up");
    }
    close(s);
}

static int rlimit_resource(const char *name) {
    static const struct { const char *name; int resource; } map[] = {
        {"cpu", RLIMIT_CPU}, {"fsize", RLIMIT_FSIZE}, {"data", RLIMIT_DATA}, {"stack", RLIMIT_STACK},
        {"core", RLIMIT_CORE}, {"rss", RLIMIT_RSS}, {"nproc", RLIMIT_NPROC}, {"nofile", RLIMIT_NOFILE},
        {"memlock", RLIMIT_MEMLOCK}, {"as", RLIMIT_AS}, {"locks", RLIMIT_LOCKS},
        {"sigpending", RLIMIT_SIGPENDING}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
        {"rtprio", RLIMIT_RTPRIO}, {"rttime", RLIMIT_RTTIME},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].name, name) == 0) {
            return map[i].resource;
        }
    }
    errno = 0;
    die("unknown rlimit %s", name);
    return -1;
}

static void clear_inheritable(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) {
        die("capget");
    }
    data[0].inheritable = 0;
    data[1].inheritable = 0;
    if (syscall(SYS_capset, &header, data) != 0) {
        die("capset");
    }
}

static void drop_bounding(unsigned long long keep) {
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) {
            continue;
        }
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) {
                break; /* past the kernel's last capability */
            }
            die("drop capability %d from the bounding set", cap);
        }
    }
}

static void enter_cgroup(const char *dir) {
    char procs[4096];
    if (snprintf(procs, sizeof procs, "%s/cgroup.procs", dir) >= (int) sizeof procs) {
        errno = ENAMETOOLONG;
        die("cgroup %s", dir);
    }
    write_file(procs, "0");
}

/*
 * fork(), with the child started in the cgroup v2 directory cgroup_dir when there is one. Writing a pid to
 * cgroup.procs takes the kernel's global cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period
 * (several milliseconds, most of a `RUN true`'s overhead); a child cloned into the cgroup (Linux 5.7) takes it for
 * reading only, as every fork does. The raw clone3 leaves glibc's cached thread id stale in the child, which only
 * sets up mounts and execs (no raise, no threads).
 */
static pid_t fork_into(const char *cgroup_dir) {
    if (cgroup_dir == NULL) {
        return fork();
    }
    int fd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        die("open %s", cgroup_dir);
    }
    struct wharf_clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = WHARF_CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (unsigned long long) fd;
    pid_t child = (pid_t) syscall(SYS_clone3, &args, sizeof args);
    if (child >= 0) {
        if (child > 0) {
            close(fd);
        }
        return child;
    }
    if (errno != ENOSYS && errno != EINVAL && errno != E2BIG && errno != EOPNOTSUPP) {
        die("clone3 into %s", cgroup_dir);
    }
    /* A kernel without clone3 or CLONE_INTO_CGROUP: join the cgroup, and the child with it. */
    close(fd);
    enter_cgroup(cgroup_dir);
    return fork();
}

/* Waits for the namespace's PID 1 and ends the way it ended. */
static void supervise(pid_t child) {
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            die("waitpid");
        }
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), sig);
        _exit(128 + sig);
    }
    _exit(WEXITSTATUS(status));
}

int main(int argc, char **argv) {
    /* The parent to die with: the one named by "parent PID" (the JVM's pid, which it passes first), else whoever
       started this process. The name matters: the JVM hands the command to a spawn helper that execs it later, and
       a JVM killed in between leaves this process to start as an orphan whose getppid() is already init's (or a
       subreaper's), which a check against the parent seen at start would take for the JVM. */
    pid_t parent = getppid();
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "parent") == 0) {
        parent = (pid_t) number(argv[2]);
        first = 3;
    }
    /* Dies with the thread that started it (the JVM's launcher thread): the namespace goes with it. Set before the
       check, so a parent dying after it is caught by the signal and one dying before it by the check. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        die("prctl(PR_SET_PDEATHSIG)");
    }
    if (getppid() != parent) {
        _exit(1);
    }
    int ops = 0;
    int command = -1;
    int new_net = 0;
    int host = 0;
    const char *hostname = NULL;
    const char *root = NULL;
    const char *ready = NULL;
    const char *cwd = "/";
    const char *cgroup2 = NULL;
    int nnp = 0;
    long long uid = 0;
    long long gid = 0;
    const char *groups = NULL;
    unsigned long long caps = ~0ULL;
    int envc = 0;
    char **env = calloc((size_t) argc + 1, sizeof(char *));
    struct { int resource; struct rlimit limit; } rlimits[16];
    int nrlimits = 0;
    if (env == NULL) {
        die("calloc");
    }

    /* First pass: options; cgroups are entered at once, ops are remembered for the second pass. */
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            command = i + 1;
            break;
        } else if (strcmp(a, "cgroup") == 0) {
            write_file(need(argc, argv, ++i), "0");
        } else if (strcmp(a, "cgroup2") == 0) {
            cgroup2 = need(argc, argv, ++i);
        } else if (strcmp(a, "net") == 0) {
            new_net = 1;
        } else if (strcmp(a, "host") == 0) {
            host = 1;
        } else if (strcmp(a, "hostname") == 0) {
            hostname = need(argc, argv, ++i);
        } else if (strcmp(a, "root") == 0) {
            root = need(argc, argv, ++i);
        } else if (strcmp(a, "ready") == 0) {
            ready = need(argc, argv, ++i);
        } else if (strcmp(a, "env") == 0) {
            env[envc++] = (char *) need(argc, argv, ++i);
        } else if (strcmp(a, "rlimit") == 0) {
            if (nrlimits == 16) {
                errno = 0;
                die("too many rlimits");
            }
            rlimits[nrlimits].resource = rlimit_resource(need(argc, argv, i + 1));
            long long soft = signed_number(need(argc, argv, i + 2));
            long long hard = signed_number(need(argc, argv, i + 3));
            rlimits[nrlimits].limit.rlim_cur = soft < 0 ? RLIM_INFINITY : (rlim_t) soft;
            rlimits[nrlimits].limit.rlim_max = hard < 0 ? RLIM_INFINITY : (rlim_t) hard;
            nrlimits++;
            i += 3;
        } else if (strcmp(a, "caps") == 0) {
            caps = number(need(argc, argv, ++i));
        } else if (strcmp(a, "nnp") == 0) {
            nnp = 1;
        } else if (strcmp(a, "uid") == 0) {
            uid = (long long) number(need(argc, argv, ++i));
        } else if (strcmp(a, "gid") == 0) {
            gid = (long long) number(need(argc, argv, ++i));
        } else if (strcmp(a, "groups") == 0) {
            groups = need(argc, argv, ++i);
        } else if (strcmp(a, "cwd") == 0) {
            cwd = need(argc, argv, ++i);
        } else if (strcmp(a, "mount") == 0) {
            need(argc, argv, i + 5);
            i += 5;
            ops++;
        } else if (strcmp(a, "mkdir") == 0) {
            need(argc, argv, i + 4);
            i += 4;
        } else if (strcmp(a, "mknod") == 0) {
            need(argc, argv, i + 3);
            i += 3;
        } else if (strcmp(a, "symlink") == 0) {
            need(argc, argv, i + 2);
            i += 2;
        } else if (strcmp(a, "mkdirs") == 0 || strcmp(a, "touch") == 0 || strcmp(a, "chdir") == 0
                   || strcmp(a, "hide") == 0) {
            need(argc, argv, ++i);
        } else {
            errno = 0;
            die("unknown argument %s", a);
        }
    }
    if (command < 0 || command >= argc || (root == NULL && !host)) {
        errno = 0;
        die("usage: wharf-sandbox [OPTION|OP]... root DIR ... -- COMMAND [ARG]...");
    }
    if (host && (hostname != NULL || new_net || root != NULL)) {
        /* Without a UTS namespace of its own, sethostname would rename the host. */
        errno = 0;
        die("host cannot be combined with hostname, net or root");
    }

    int flags = host ? CLONE_NEWNS | CLONE_NEWPID
                     : CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | (new_net ? CLONE_NEWNET : 0);
    if (unshare(flags) != 0) {
        die("unshare");
    }
    /* The supervisor holds the write end: EOF on the read end means it is gone (getppid() is 0 in the new PID
       namespace, so it cannot tell). */
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0) {
        die("pipe");
    }
    pid_t child = fork_into(cgroup2);
    if (child < 0) {
        die("fork");
    }
    if (child > 0) {
        close(alive[0]);
        supervise(child);
    }
    close(alive[1]);
    /* PID 1 of the new namespace; it dies when the supervisor does, and the namespace with it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        die("prctl(PR_SET_PDEATHSIG)");
    }
    if (fcntl(alive[0], F_SETFL, O_NONBLOCK) != 0) {
        die("fcntl");
    }
    char probe;
    if (read(alive[0], &probe, 1) == 0) {
        _exit(1);
    }
    close(alive[0]);
    mode_t umask_before = umask(0);
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        die("make / private");
    }
    if (new_net) {
        loopback_up();
    }
    if (hostname != NULL && sethostname(hostname, strlen(hostname)) != 0) {
        die("sethostname %s", hostname);
    }
    for (int i = first; i < command - 1; i++) {
        const char *a = argv[i];
        if (strcmp(a, "mount") == 0) {
            do_mount(argv[i + 1], argv[i + 2], argv[i + 3], (unsigned long) number(argv[i + 4]), argv[i + 5]);
            i += 5;
        } else if (strcmp(a, "mkdir") == 0) {
            do_mkdir(argv[i + 1], (mode_t) strtoul(argv[i + 2], NULL, 8), signed_number(argv[i + 3]),
                     signed_number(argv[i + 4]));
            i += 4;
        } else if (strcmp(a, "mkdirs") == 0) {
            do_mkdirs(argv[++i]);
        } else if (strcmp(a, "touch") == 0) {
            do_touch(argv[++i], 0666 & ~umask_before);
        } else if (strcmp(a, "mknod") == 0) {
            dev_t dev = makedev((unsigned) number(argv[i + 2]), (unsigned) number(argv[i + 3]));
            if (mknod(argv[i + 1], S_IFCHR | 0666, dev) != 0) {
                die("mknod %s", argv[i + 1]);
            }
            i += 3;
        } else if (strcmp(a, "symlink") == 0) {
            if (symlink(argv[i + 1], argv[i + 2]) != 0) {
                die("symlink %s", argv[i + 2]);
            }
            i += 2;
        } else if (strcmp(a, "chdir") == 0) {
            if (chdir(argv[++i]) != 0) {
                die("chdir %s", argv[i]);
            }
        } else if (strcmp(a, "hide") == 0) {
            const char *path = argv[++i];
            if (access(path, F_OK) == 0 && umount2(path, MNT_DETACH) != 0) {
                mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL);
            }
        } else if (strcmp(a, "cgroup") == 0 || strcmp(a, "cgroup2") == 0 || strcmp(a, "hostname") == 0
                   || strcmp(a, "root") == 0
                   || strcmp(a, "ready") == 0 || strcmp(a, "env") == 0 || strcmp(a, "caps") == 0
                   || strcmp(a, "uid") == 0 || strcmp(a, "gid") == 0 || strcmp(a, "groups") == 0
                   || strcmp(a, "cwd") == 0) {
            i++;
        } else if (strcmp(a, "rlimit") == 0) {
            i += 3;
        }
    }
    int ready_fd = -1;
    if (ready != NULL) {
        ready_fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (ready_fd < 0) {
            die("create %s", ready);
        }
    }
    if (host) {
        if (ready_fd >= 0) {
            close(ready_fd);
        }
        umask(umask_before);
        for (int i = 0; i < nrlimits; i++) {
            if (setrlimit(rlimits[i].resource, &rlimits[i].limit) != 0) {
                die("setrlimit");
            }
        }
        execvp(argv[command], argv + command);
        int err = errno;
        fprintf(stderr, "wharf-sandbox: exec %s: %s\n", argv[command], strerror(err));
        _exit(err == ENOENT ? 127 : 126);
    }
    /* switch_root's way: the new root moved over /, then chroot; the old root stays covered. */
    if (chdir(root) != 0) {
        die("chdir %s", root);
    }
    if (mount(".", "/", NULL, MS_MOVE, NULL) != 0) {
        die("move %s onto /", root);
    }
    if (chroot(".") != 0) {
        die("chroot");
    }
    if (chdir("/") != 0) {
        die("chdir /");
    }
    umask(umask_before);
    for (int i = 0; i < nrlimits; i++) {
        if (setrlimit(rlimits[i].resource, &rlimits[i].limit) != 0) {
            die("setrlimit");
        }
    }
    if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        die("prctl(PR_SET_NO_NEW_PRIVS)");
    }
    drop_bounding(caps);
    clear_inheritable();
    if (setresgid((gid_t) gid, (gid_t) gid, (gid_t) gid) != 0) {
        die("setresgid %lld", gid);
    }
    if (groups != NULL) {
        size_t max = strlen(groups) / 2 + 1;
        gid_t *list = calloc(max, sizeof(gid_t));
        char *copy = strdup(groups);
        size_t n = 0;
        if (list == NULL || copy == NULL) {
            die("calloc");
        }
        for (char *tok = strtok(copy, ","); tok != NULL && n < max; tok = strtok(NULL, ",")) {
            list[n++] = (gid_t) number(tok);
        }
        if (setgroups(n, list) != 0) {
            die("setgroups");
        }
    }
    if (chdir(cwd) != 0) {
        die("chdir %s", cwd);
    }
    if (uid != 0 && setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid) != 0) {
        die("setresuid %lld", uid);
    }
    environ = env;
    execvp(argv[command], argv + command);
    int err = errno;
    fprintf(stderr, "wharf-sandbox: exec %s: %s\n", argv[command], strerror(err));
    if (ready_fd >= 0) {
        /* The descriptor is close-on-exec: only a failed exec gets here with it open. */
        dprintf(ready_fd, "exec %d\n", err);
    }
    _exit(err == ENOENT ? 127 : 126);
}
