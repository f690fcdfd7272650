/*
 * wharf-scan: lists a build context for wharf's content checksum (dev.wharf.context.walk.NativeTreeScan) in one
 * pass of getdents64 + fstatat over the tree, and streams compact binary records to stdout in the walk order of
 * wharf's ContextWalker (a directory's entries by name in byte order, each directory's subtree right after its
 * entry). For every directory it also gives a keyed 128-bit fingerprint of everything lstat says about its
 * subtree, so that the Java side can reuse a directory's checksum without looking at its entries.
 *
 * Usage: wharf-scan ROOT [--key KEYFILE [--rules]] [--listings FILE WINDOW_NS] [--xattrs-since NS] < [KEY] [RULES]
 *        (KEY: 32 bytes, two SipHash-2-4 keys; the fingerprint is two SipHash lanes; FILE: the cached listings of
 *        this root's directories, read and kept up to date, see "cached listings" below)
 *        With --key the key is read from KEYFILE (exactly 32 bytes) and stdin is read only with --rules (then it
 *        holds the RULES alone), so that the walk starts as soon as the helper runs instead of waiting for the JVM,
 *        which writes its stdin only once ProcessBuilder.start has returned (a few milliseconds on a quiet machine,
 *        tens on a loaded one); without --key, stdin holds the KEY and then the RULES.
 *        RULES (optional, to the end of stdin): directories the caller's .dockerignore walk would never enter, which
 *        the scan then leaves unlisted: u8 type, u16 length (native order), UTF-8 bytes, per rule, type
 *          'P' a path relative to the root (a directory there is pruned),
 *          'B' a base name (a directory of that name at any depth is pruned),
 *          'E' the literal stem of a '!' exception: no directory whose path is that stem, or lies on its way, or
 *              below it, is pruned (an exception may re-include something inside it).
 *        The caller checks every pruned directory against its own walk's decisions (ContextSnapshot) and scans
 *        again without rules if its walk would have entered one, so the rules are hints, never semantics.
 *        wharf-scan --xattrs PATH  (the extended attributes of PATH, never following a symlink: 'A' u16 nameLen,
 *                                  u32 valueLen, name, value per attribute that lgetxattr returns, then 'Z'; or
 *                                  'X' u32 errno, u16 0 when llistxattr fails other than for lack of support)
 * The walk produces records (native byte order):
 *   'F' u16 nameLen, u16 linkLen, u32 mode, u32 uid, u32 gid, u32 nlink, u64 size, i64 mtimeNs, i64 ctimeNs,
 *       u64 ino, u64 dev, u64 rdev, name bytes, link target bytes    one entry (lstat, never followed)
 *   'U' u64 fp0, u64 fp1, i64 newestNs                                end of the directory entered last
 *   'P' u64 fp0, u64 fp1, i64 newestNs                                end of a directory pruned (never listed)
 *   'T' u32 length, attributes (as --xattrs writes them)              the xattrs of the 'F' before it (--xattrs-since)
 *   'X' u32 errno, u16 pathLen, path                                  a failure other than a vanished entry
 *   'Z'                                                               the end
 * which are turned into the columns of wharf's SnapshotRows as each of the root's subtrees is done and written out
 * in blocks of rows (see conv below), so that the JVM copies them in bulk instead of handling each entry, and reads
 * the first blocks while the rest of the tree is walked. After a failure the helper stops with a non-zero status
 * before the output's end: the Java side then walks with java.nio, which reports it as wharf always has.
 * The root's own listing ends with its 'U'. An entry that vanishes between the listing and its lstat is left out
 * and a directory that vanishes before it is opened is empty, as the Java walk has them. The fingerprint of a
 * directory covers its own lstat record, each entry's record, and each subdirectory's fingerprint and newest time;
 * "newest" is the greatest mtime or ctime in the subtree (the caller does not reuse what changed within its racy
 * window). The root's child directories (their own subdirectories when the root has few: a project under src/)
 * are walked on as many threads as there are online CPUs; the output order
 * does not depend on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define HEADER_BYTES 69 /* tag + 2 + 2 + 4 * 4 + 8 * 6 */
#define LINK_BYTES 4096

static uint64_t keys[4];

/* ---- prune rules (see RULES above) ---- */
typedef struct {
    char type;
    const char *text;
    size_t len;
} rule;

static rule *rules;
static size_t ruleCount;

/* Reads the key from file (exactly 32 bytes, as NativeTreeScan writes it); 0, or -1. */
static int read_key(const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    uint8_t k[sizeof keys + 1];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof k && (n = read(fd, k + got, sizeof k - got)) > 0) {
        got += (size_t) n;
    }
    close(fd);
    if (got != sizeof keys) {
        return -1; /* short or long: not a key this scanner wrote */
    }
    memcpy(keys, k, sizeof keys);
    return 0;
}

/* Reads the rules that follow the key on stdin; 0, or -1 when they are malformed. */
static int read_rules(void) {
    size_t len = 0, cap = 4096;
    char *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + len, 1, cap - len, stdin)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            data = realloc(data, cap);
        }
    }
    if (!data) {
        return -1;
    }
    size_t n = 0;
    for (size_t at = 0; at < len;) {
        uint16_t l;
        if (at + 3 > len) {
            return -1;
        }
        memcpy(&l, data + at + 1, 2);
        if (at + 3 + l > len || (data[at] != 'P' && data[at] != 'B' && data[at] != 'E')) {
            return -1;
        }
        at += 3 + (size_t) l;
        n++;
    }
    rules = calloc(n ? n : 1, sizeof(rule));
    if (!rules) {
        return -1;
    }
    for (size_t at = 0; at < len;) {
        uint16_t l;
        memcpy(&l, data + at + 1, 2);
        rules[ruleCount++] = (rule) {data[at], data + at + 3, l};
        at += 3 + (size_t) l;
    }
    return 0;
}

/* Whether a and b are equal or one is a directory prefix of the other (as paths, at a '/' boundary). */
static int on_one_path(const char *a, size_t aLen, const char *b, size_t bLen) {
    size_t n = aLen < bLen ? aLen : bLen;
    return memcmp(a, b, n) == 0 && (aLen == bLen || (aLen < bLen ? b[aLen] : a[bLen]) == '/');
}

/* Whether the directory at rel (relative to the root), named name, is left unlisted. */
static int pruned(const char *rel, const char *name) {
    if (ruleCount == 0) {
        return 0;
    }
    size_t relLen = strlen(rel), nameLen = strlen(name);
    int hit = 0;
    for (size_t i = 0; i < ruleCount && !hit; i++) {
        const rule *r = &rules[i];
        hit = (r->type == 'P' && r->len == relLen && memcmp(r->text, rel, relLen) == 0)
            || (r->type == 'B' && r->len == nameLen && memcmp(r->text, name, nameLen) == 0);
    }
    for (size_t i = 0; i < ruleCount && hit; i++) {
        if (rules[i].type == 'E' && on_one_path(rules[i].text, rules[i].len, rel, relLen)) {
            hit = 0;
        }
    }
    return hit;
}

/* ---- SipHash-2-4, streaming ---- */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                            \
    do {                                                                                                   \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                           \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                              \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                              \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                           \
    } while (0)

typedef struct {
    uint64_t v[2][4];
    uint8_t tail[8];
    size_t tailLen;
    uint64_t total;
} sip;

static void sip_init(sip *s) {
    for (int l = 0; l < 2; l++) {
        uint64_t k0 = keys[2 * l], k1 = keys[2 * l + 1];
        s->v[l][0] = k0 ^ 0x736f6d6570736575ULL;
        s->v[l][1] = k1 ^ 0x646f72616e646f6dULL;
        s->v[l][2] = k0 ^ 0x6c7967656e657261ULL;
        s->v[l][3] = k1 ^ 0x7465646279746573ULL;
    }
    s->tailLen = 0;
    s->total = 0;
}

static void sip_word(sip *s, uint64_t m) {
    for (int l = 0; l < 2; l++) {
        uint64_t v0 = s->v[l][0], v1 = s->v[l][1], v2 = s->v[l][2], v3 = s->v[l][3];
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
        s->v[l][0] = v0; s->v[l][1] = v1; s->v[l][2] = v2; s->v[l][3] = v3;
    }
}

static void sip_update(sip *s, const void *data, size_t n) {
    const uint8_t *p = data;
    s->total += n;
    if (s->tailLen > 0) {
        while (n > 0 && s->tailLen < 8) {
            s->tail[s->tailLen++] = *p++;
            n--;
        }
        if (s->tailLen < 8) {
            return;
        }
        uint64_t m;
        memcpy(&m, s->tail, 8);
        sip_word(s, m);
        s->tailLen = 0;
    }
    while (n >= 8) {
        uint64_t m;
        memcpy(&m, p, 8);
        sip_word(s, m);
        p += 8;
        n -= 8;
    }
    memcpy(s->tail, p, n);
    s->tailLen = n;
}

static void sip_final(sip *s, uint64_t out[2]) {
    uint64_t b = s->total << 56;
    for (size_t i = 0; i < s->tailLen; i++) {
        b |= (uint64_t) s->tail[i] << (8 * i);
    }
    for (int l = 0; l < 2; l++) {
        uint64_t v0 = s->v[l][0], v1 = s->v[l][1], v2 = s->v[l][2], v3 = s->v[l][3];
        v3 ^= b;
        SIPROUND;
        SIPROUND;
        v0 ^= b;
        v2 ^= 0xff;
        SIPROUND;
        SIPROUND;
        SIPROUND;
        SIPROUND;
        out[l] = v0 ^ v1 ^ v2 ^ v3;
    }
}

/* ---- growable output buffer ---- */
typedef struct {
    uint8_t *data;
    size_t len, cap;
} buf;

static void *need(buf *b, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n) {
            cap *= 2;
        }
        b->data = realloc(b->data, cap);
        if (!b->data) {
            perror("wharf-scan: out of memory");
            exit(3);
        }
        b->cap = cap;
    }
    void *p = b->data + b->len;
    b->len += n;
    return p;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* One listed entry, its lstat record already encoded. */
typedef struct {
    char *name;      /* its own copy, or in the mapped listing file (then owned is 0) */
    int owned;
    uint8_t *record; /* HEADER_BYTES + name + link */
    size_t recordLen;
    int isDir;
    int64_t newest;
    uint8_t *xattr;  /* 'T' u32 length, then its xattrs as xattr_collect writes them; NULL when not read */
    size_t xattrLen;
} entry;

/*
 * --xattrs-since NS: the extended attributes of each entry whose ctime is at least NS (any change to a file, its
 * xattrs included, moves its ctime) are read during the walk and sent with the rows, for at most XATTR_ENTRIES
 * entries: the caller passes the time of its checksum cache's last write (less its racy window), so that the files
 * a re-checksum hashes come with their attributes and it starts no helper process for them. A hint: the caller reads
 * those of any other entry itself.
 */
#define XATTR_ENTRIES 1024
static int64_t xattrsSince = INT64_MAX;
static const char *rootPath;
static int xattrEntries;

static int64_t nanos(struct timespec t) { return (int64_t) t.tv_sec * 1000000000LL + t.tv_nsec; }

static uint8_t *encode(const struct stat *st, const char *name, size_t nameLen, const char *link, size_t linkLen,
                       size_t *len) {
    *len = HEADER_BYTES + nameLen + linkLen;
    uint8_t *r = malloc(*len);
    if (!r) {
        perror("wharf-scan: out of memory");
        exit(3);
    }
    r[0] = 'F';
    put16(r + 1, (uint16_t) nameLen);
    put16(r + 3, (uint16_t) linkLen);
    put32(r + 5, st->st_mode);
    put32(r + 9, st->st_uid);
    put32(r + 13, st->st_gid);
    put32(r + 17, (uint32_t) st->st_nlink);
    put64(r + 21, (uint64_t) st->st_size);
    put64(r + 29, (uint64_t) nanos(st->st_mtim));
    put64(r + 37, (uint64_t) nanos(st->st_ctim));
    put64(r + 45, (uint64_t) st->st_ino);
    put64(r + 53, (uint64_t) st->st_dev);
    put64(r + 61, (uint64_t) st->st_rdev);
    memcpy(r + HEADER_BYTES, name, nameLen);
    memcpy(r + HEADER_BYTES + nameLen, link, linkLen);
    return r;
}

static void fail(buf *out, int err, const char *path) {
    size_t n = strlen(path);
    if (n > 65535) {
        n = 65535;
    }
    uint8_t *p = need(out, 7 + n);
    p[0] = 'X';
    put32(p + 1, (uint32_t) err);
    put16(p + 5, (uint16_t) n);
    memcpy(p + 7, path, n);
}


/*
 * What fsutil's loadXattr reads of path, never following a symlink, appended to out in --xattrs's format ('A'
 * records, or 'X' when the list cannot be read, then 'Z'): for a file the checksum hashes without loading a libc
 * binding.
 */
static void xattr_collect(const char *path, buf *o) {
#define out (*o)
    ssize_t n = llistxattr(path, NULL, 0);
    char *names = NULL;
    while (n > 0) {
        names = realloc(names, (size_t) n);
        ssize_t got = names ? llistxattr(path, names, (size_t) n) : -1;
        if (got >= 0 || errno != ERANGE) {
            n = got;
            break;
        }
        n = llistxattr(path, NULL, 0); /* grew meanwhile */
    }
    if (n < 0 && errno != ENOTSUP) {
        uint8_t *p = need(&out, 7);
        p[0] = 'X';
        put32(p + 1, (uint32_t) errno);
        put16(p + 5, 0);
    }
    for (ssize_t at = 0; n > 0 && at < n;) {
        const char *name = names + at;
        size_t len = strlen(name);
        at += (ssize_t) len + 1;
        if (len == 0 || len > 65535) {
            continue;
        }
        ssize_t size = lgetxattr(path, name, NULL, 0);
        char *value = NULL;
        while (size >= 0) {
            value = realloc(value, size ? (size_t) size : 1);
            ssize_t got = value ? lgetxattr(path, name, value, (size_t) size) : -1;
            if (got >= 0 || errno != ERANGE) {
                size = got;
                break;
            }
            size = lgetxattr(path, name, NULL, 0);
        }
        if (size >= 0) { /* loadXattr keeps only the values read without error */
            uint8_t *p = need(&out, 7 + len + (size_t) size);
            p[0] = 'A';
            put16(p + 1, (uint16_t) len);
            put32(p + 3, (uint32_t) size);
            memcpy(p + 7, name, len);
            memcpy(p + 7 + len, value, (size_t) size);
        }
        free(value);
    }
    free(names);
    memcpy(need(&out, 1), "Z", 1);
#undef out
}

/*
 * ---- cached listings (--listings FILE WINDOW_NS) ----
 * Listing a directory (getdents64, which on ext4 hashes every name into a tree even for a one-block directory) costs
 * a third of a scan of a tree whose files are all in the page cache; its lstat calls are the rest. A directory's
 * names change only with its mtime and ctime (POSIX: creating, removing or renaming an entry updates both, and
 * nothing can set a ctime back), so the names a scan listed are kept in FILE, keyed by the directory's device,
 * inode, mtime, ctime, size and link count, and a later scan takes a directory's names from there when its lstat
 * record still has those values, as git's untracked cache does. Every entry is still lstat'ed. A listing is kept only
 * when the directory's times are older than WINDOW_NS before the scan began: a change within the file system's
 * timestamp granularity of the last one might not move them. Only on file systems known to keep those times (ext2-4,
 * xfs, btrfs, tmpfs: not network or FUSE file systems, nor overlayfs, whose lower layers may change beneath it), only
 * for directories on the root's device, and only in the scan's own walk order (the cache holds names, no order).
 * FILE (native order, a private cache of one user's state directory): u64 magic, u32 count, u32 table size (a power
 * of two), u64 0; the table of u32 offsets of entries (0: empty), by a hash of device and inode, probed linearly;
 * the entries, 8-aligned, each u64 device, inode, i64 mtime, ctime, u64 size, u32 nlink, count, bytes, 0, u64 check
 * (a hash of the fields before it and the names), then the names, each NUL-terminated, in byte order. An entry that
 * fails its check or is malformed is not used (the directory is listed). It is written (temp file, rename) only when
 * a scan listed a directory it could keep, so a scan of an unchanged tree writes nothing.
 */
#define LISTING_MAGIC 0x31305453494c5357ULL /* "WSLIST01" */
#define LISTING_HEAD 64
#define LISTING_FILES_MAX 64

static const uint8_t *lmap;     /* the file as read, or NULL */
static size_t lmapLen;
static uint32_t lmask;          /* table size - 1 */
static uint8_t *lused;          /* per table slot: its entry was used by this scan (so is written again) */
static const char *lpath;       /* NULL: no cached listings */
static int64_t lbefore;         /* a directory whose times are all before this may have its listing kept */
static uint64_t ldev;           /* the root's device */
static buf lfresh;              /* entries listed by this scan that may be kept */
static size_t lfreshCount;
static pthread_mutex_t llock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Not a defence against crafted input (the file is the user's own), a check against torn or stale bytes. */
static uint64_t listing_check(const uint8_t *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    for (; n >= 8; p += 8, n -= 8) {
        h = (h ^ get64(p)) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t t = 0;
    memcpy(&t, p, n);
    h = (h ^ t) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static uint32_t listing_slot(uint64_t dev, uint64_t ino) {
    uint64_t h = (ino ^ (dev << 40) ^ (dev >> 24)) * 0x9E3779B97F4A7C15ULL;
    return (uint32_t) (h >> 32);
}

/* The fields of a record that key its directory's listing, at the offsets encode() writes them. */
static void listing_key(const uint8_t *rec, uint8_t key[48]) {
    memcpy(key, rec + 53, 8);      /* device */
    memcpy(key + 8, rec + 45, 8);  /* inode */
    memcpy(key + 16, rec + 29, 8); /* mtime */
    memcpy(key + 24, rec + 37, 8); /* ctime */
    memcpy(key + 32, rec + 21, 8); /* size */
    memcpy(key + 40, rec + 17, 4); /* nlink */
    memset(key + 44, 0, 4);
}

/* Maps FILE if it is a listing file; without one every directory is listed. */
static void listing_open(int rootFd, const char *file, int64_t window, uint64_t dev) {
    struct statfs fs;
    if (fstatfs(rootFd, &fs) != 0) {
        return;
    }
    uint32_t type = (uint32_t) fs.f_type; /* ext2-4, xfs, btrfs, tmpfs */
    if (type != 0xEF53 && type != 0x58465342 && type != 0x9123683E && type != 0x01021994) {
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    lpath = file;
    lbefore = nanos(now) - window;
    ldev = dev;
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 24 || st.st_size > (1L << 31)) {
        if (fd >= 0) {
            close(fd);
        }
        return;
    }
    void *m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        return;
    }
    const uint8_t *p = m;
    uint32_t size = get32(p + 12);
    if (get64(p) != LISTING_MAGIC || size == 0 || (size & (size - 1)) != 0
            || 24 + 4 * (uint64_t) size > (uint64_t) st.st_size || !(lused = calloc(size, 1))) {
        munmap(m, (size_t) st.st_size);
        return;
    }
    lmap = p;
    lmapLen = (size_t) st.st_size;
    lmask = size - 1;
}

/*
 * The names cached for the directory whose record is rec, when its lstat data is the one they were listed under
 * and the entry is sound: *count gets their number, *bytes the end of the last. NULL otherwise.
 */
static const char *listing_find(const uint8_t *rec, uint32_t *count, const char **end) {
    if (!lmap) {
        return NULL;
    }
    uint8_t key[48];
    listing_key(rec, key);
    uint64_t dev = get64(key), ino = get64(key + 8);
    for (uint32_t i = listing_slot(dev, ino) & lmask, probes = 0; probes <= lmask; i = (i + 1) & lmask, probes++) {
        uint32_t off = get32(lmap + 24 + 4 * (size_t) i);
        if (off == 0) {
            return NULL;
        }
        if ((off & 7) != 0 || (uint64_t) off + 64 > lmapLen) {
            return NULL;
        }
        const uint8_t *h = lmap + off;
        if (get64(h) != dev || get64(h + 8) != ino) {
            continue;
        }
        uint32_t n = get32(h + 44), bytes = get32(h + 48);
        if (memcmp(h, key, 44) != 0 || (uint64_t) off + 64 + bytes > lmapLen || (n == 0) != (bytes == 0)
                || (bytes > 0 && h[64 + bytes - 1] != 0)) {
            return NULL;
        }
        uint64_t check = get64(h + 56);
        if (listing_check(h, 56) + listing_check(h + 64, bytes) * 31 != check) {
            return NULL;
        }
        /* The names must be what a listing gives: n non-empty names without '/', ".", "..", in strict byte order. */
        const char *names = (const char *) h + 64, *stop = names + bytes, *prev = NULL;
        uint32_t seen = 0;
        for (const char *nm = names; nm < stop; nm += strlen(nm) + 1, seen++) {
            if (!*nm || strchr(nm, '/') || (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0)))
                    || (prev && strcmp(prev, nm) >= 0)) {
                return NULL;
            }
            prev = nm;
        }
        if (seen != n) {
            return NULL;
        }
        __atomic_store_n(&lused[i], 1, __ATOMIC_RELAXED); /* two threads may use one entry (a bind mount) */
        *count = n;
        *end = stop;
        return names;
    }
    return NULL;
}

/* Keeps the names just listed (sorted) for the directory whose record is rec, when its times allow it. */
static void listing_keep(const uint8_t *rec, const entry *es, size_t n) {
    if (!lpath) {
        return;
    }
    uint8_t key[48];
    listing_key(rec, key);
    int64_t m = (int64_t) get64(key + 16), c = (int64_t) get64(key + 24);
    if (get64(key) != ldev || m >= lbefore || c >= lbefore) {
        return;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        bytes += strlen(es[i].name) + 1;
    }
    if (bytes > UINT32_MAX / 2) {
        return;
    }
    uint8_t *h = malloc(64 + bytes);
    if (!h) {
        return;
    }
    memcpy(h, key, 48);
    put32(h + 44, (uint32_t) n);
    put32(h + 48, (uint32_t) bytes);
    put32(h + 52, 0);
    size_t at = 64;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(es[i].name) + 1;
        memcpy(h + at, es[i].name, l);
        at += l;
    }
    put64(h + 56, listing_check(h, 56) + listing_check(h + 64, bytes) * 31);
    size_t padded = (64 + bytes + 7) & ~(size_t) 7;
    pthread_mutex_lock(&llock);
    uint8_t *p = need(&lfresh, padded);
    memcpy(p, h, 64 + bytes);
    memset(p + 64 + bytes, 0, padded - 64 - bytes);
    lfreshCount++;
    pthread_mutex_unlock(&llock);
    free(h);
}

/* Adds the entry at e (its length padded) to the file being made in f, its offset to the table. */
static void listing_put(buf *f, uint32_t mask, const uint8_t *e, size_t len) {
    uint32_t off = (uint32_t) f->len;
    memcpy(need(f, len), e, len);
    for (uint32_t i = listing_slot(get64(e), get64(e + 8)) & mask;; i = (i + 1) & mask) {
        uint8_t *slot = f->data + 24 + 4 * (size_t) i;
        if (get32(slot) == 0) {
            put32(slot, off);
            return;
        }
    }
}

/*
 * Writes the listing file again when this scan listed a directory it may keep: the entries it used and the ones it
 * listed (those of directories gone or changed are left out). Best effort: a cache.
 */
static void listing_write(void) {
    if (!lpath || lfreshCount == 0) {
        return;
    }
    size_t count = lfreshCount, used = 0;
    for (size_t i = 0; lmap && i <= lmask; i++) {
        used += lused[i];
    }
    count += used;
    uint32_t size = 16;
    while (size < 2 * count && size < (1u << 30)) {
        size *= 2;
    }
    buf f = {0};
    uint8_t *head = need(&f, 24 + 4 * (size_t) size);
    memset(head, 0, 24 + 4 * (size_t) size);
    put64(head, LISTING_MAGIC);
    put32(head + 8, (uint32_t) count);
    put32(head + 12, size);
    for (size_t i = 0; lmap && i <= lmask; i++) {
        if (lused[i]) {
            const uint8_t *e = lmap + get32(lmap + 24 + 4 * i);
            listing_put(&f, size - 1, e, (64 + get32(e + 48) + 7) & ~(size_t) 7);
        }
    }
    for (size_t at = 0; at < lfresh.len;) {
        size_t len = (64 + get32(lfresh.data + at + 48) + 7) & ~(size_t) 7;
        listing_put(&f, size - 1, lfresh.data + at, len);
        at += len;
    }
    if (f.len > (1UL << 31)) {
        return;
    }
    if (!lmap) {
        /* A new file: the directory keeps at most LISTING_FILES_MAX contexts' listings (a hint, like the cache's
         * marker of large contexts), so when it is full all are dropped. */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", lpath);
        char *slash = strrchr(dir, '/');
        if (slash) {
            *slash = 0;
            (void) mkdir(dir, 0700);
            DIR *d = opendir(dir);
            size_t files = 0;
            struct dirent *de;
            while (d && (de = readdir(d)) != NULL) {
                files += de->d_name[0] != '.';
            }
            if (d && files >= LISTING_FILES_MAX) {
                rewinddir(d);
                while ((de = readdir(d)) != NULL) {
                    if (de->d_name[0] != '.') {
                        (void) unlinkat(dirfd(d), de->d_name, 0);
                    }
                }
            }
            if (d) {
                closedir(d);
            }
        }
    }
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.%d.tmp", lpath, (int) getpid()) >= (int) sizeof tmp) {
        return;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return;
    }
    size_t done = 0;
    while (done < f.len) {
        ssize_t w = write(fd, f.data + done, f.len - done);
        if (w <= 0) {
            break;
        }
        done += (size_t) w;
    }
    if (close(fd) != 0 || done != f.len || rename(tmp, lpath) != 0) {
        (void) unlink(tmp);
    }
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const entry *) a)->name, ((const entry *) b)->name); /* unsigned bytes, as Go sorts */
}

/*
 * Lists the open directory fd (relative path rel, "" for the root; dirRecord its lstat record) and lstats its
 * entries, sorted by name; NULL after a failure, which is written to out. *count gets the number of entries. The
 * names come from the cached listings when they hold this directory's (see above), else from getdents64.
 */
static entry *list(int fd, const char *rel, const uint8_t *dirRecord, buf *out, size_t *count) {
    char chunk[32768];
    size_t n = 0, cap = 64;
    uint32_t cachedCount = 0;
    const char *cachedEnd = NULL;
    const char *cached = listing_find(dirRecord, &cachedCount, &cachedEnd);
    if (cached && cachedCount > cap) {
        cap = cachedCount;
    }
    entry *es = malloc(cap * sizeof(entry));
    char *link = malloc(LINK_BYTES);
    if (!es || !link) {
        perror("wharf-scan: out of memory");
        exit(3);
    }
    for (const char *nm = cached; nm && nm < cachedEnd; nm += strlen(nm) + 1) {
        es[n].name = (char *) nm;
        es[n].owned = 0;
        es[n].record = NULL;
        es[n].xattr = NULL;
        n++;
    }
    for (; !cached;) {
        long got = syscall(SYS_getdents64, fd, chunk, sizeof chunk);
        if (got < 0) {
            fail(out, errno, rel);
            free(link);
            return NULL; /* entries leak until exit: the walk stops anyway */
        }
        if (got == 0) {
            break;
        }
        for (long at = 0; at < got;) {
            struct dirent64 {
                uint64_t d_ino;
                int64_t d_off;
                unsigned short d_reclen;
                unsigned char d_type;
                char d_name[];
            } *d = (void *) (chunk + at);
            at += d->d_reclen;
            const char *nm = d->d_name;
            if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) {
                continue;
            }
            if (n == cap) {
                cap *= 2;
                es = realloc(es, cap * sizeof(entry));
                if (!es) {
                    perror("wharf-scan: out of memory");
                    exit(3);
                }
            }
            es[n].name = strdup(nm);
            es[n].owned = 1;
            es[n].record = NULL;
            es[n].xattr = NULL;
            n++;
        }
    }
    if (!cached) {
        qsort(es, n, sizeof(entry), by_name);
        listing_keep(dirRecord, es, n);
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        entry e = es[i];
        if (fstatat(fd, e.name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) {
                if (e.owned) {
                    free(e.name); /* removed while walking: the Java walk skips it too */
                }
                continue;
            }
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s%s%s", rel, *rel ? "/" : "", e.name);
            fail(out, errno, path);
            free(link);
            return NULL;
        }
        size_t linkLen = 0;
        if (S_ISLNK(st.st_mode)) {
            ssize_t l = readlinkat(fd, e.name, link, LINK_BYTES);
            if (l < 0 || l >= LINK_BYTES) {
                char path[PATH_MAX];
                snprintf(path, sizeof path, "%s%s%s", rel, *rel ? "/" : "", e.name);
                fail(out, l < 0 ? errno : ENAMETOOLONG, path);
                free(link);
                return NULL;
            }
            linkLen = (size_t) l;
        }
        size_t nameLen = strlen(e.name);
        e.record = encode(&st, e.name, nameLen, link, linkLen, &e.recordLen);
        e.isDir = S_ISDIR(st.st_mode);
        int64_t m = nanos(st.st_mtim), c = nanos(st.st_ctim);
        e.newest = m > c ? m : c;
        e.xattrLen = 0;
        if (c >= xattrsSince && __atomic_add_fetch(&xattrEntries, 1, __ATOMIC_RELAXED) <= XATTR_ENTRIES) {
            char path[PATH_MAX];
            if (snprintf(path, sizeof path, "%s/%s%s%s", rootPath, rel, *rel ? "/" : "", e.name)
                    < (int) sizeof path) {
                buf x = {0};
                need(&x, 5);
                xattr_collect(path, &x);
                x.data[0] = 'T';
                put32(x.data + 1, (uint32_t) (x.len - 5));
                e.xattr = x.data;
                e.xattrLen = x.len;
            }
        }
        es[kept++] = e;
    }
    free(link);
    *count = kept;
    return es;
}

static void free_entries(entry *es, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (es[i].owned) {
            free(es[i].name);
        }
        free(es[i].record);
        free(es[i].xattr);
    }
    free(es);
}

static void end_dir_as(buf *out, sip *h, int64_t newest, uint64_t fp[2], char tag) {
    sip_final(h, fp);
    uint8_t *p = need(out, 25);
    p[0] = (uint8_t) tag;
    put64(p + 1, fp[0]);
    put64(p + 9, fp[1]);
    put64(p + 17, (uint64_t) newest);
}

static void end_dir(buf *out, sip *h, int64_t newest, uint64_t fp[2]) {
    end_dir_as(out, h, newest, fp, 'U');
}

/*
 * Walks the directory at dirfd/name (entry e, its record already written by the caller) into out: its entries, their
 * subtrees, its 'U'. Returns 0, or -1 after writing a failure. fp and newest get the directory's.
 */
static int walk(int parent, const entry *e, const char *rel, buf *out, uint64_t fp[2], int64_t *newest) {
    sip h;
    sip_init(&h);
    sip_update(&h, e->record, e->recordLen);
    *newest = e->newest;
    if (pruned(rel, e->name)) { /* its fingerprint covers its own record: its entries are never looked at */
        end_dir_as(out, &h, *newest, fp, 'P');
        return 0;
    }
    int fd = openat(parent, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) { /* gone before it was listed: an empty directory, as the Java walk has it */
            end_dir(out, &h, *newest, fp);
            return 0;
        }
        fail(out, errno, rel);
        return -1;
    }
    size_t n;
    entry *es = list(fd, rel, e->record, out, &n);
    if (!es) {
        close(fd);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        memcpy(need(out, es[i].recordLen), es[i].record, es[i].recordLen);
        if (es[i].xattr) { /* not part of the fingerprint: the ctime it was read for is */
            memcpy(need(out, es[i].xattrLen), es[i].xattr, es[i].xattrLen);
        }
        sip_update(&h, es[i].record, es[i].recordLen);
        if (es[i].newest > *newest) {
            *newest = es[i].newest;
        }
        if (es[i].isDir) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s%s%s", rel, *rel ? "/" : "", es[i].name);
            uint64_t cfp[2];
            int64_t cnewest;
            rc = walk(fd, &es[i], path, out, cfp, &cnewest);
            uint8_t sum[24];
            put64(sum, cfp[0]);
            put64(sum + 8, cfp[1]);
            put64(sum + 16, (uint64_t) cnewest);
            sip_update(&h, sum, 24);
            if (cnewest > *newest) {
                *newest = cnewest;
            }
        }
    }
    free_entries(es, n);
    close(fd);
    if (rc == 0) {
        end_dir(out, &h, *newest, fp);
    }
    return rc;
}

/* ---- the root's child directories (or, when they are few, their own subdirectories) as tasks for the threads ---- */
typedef struct {
    const entry *e;
    int parent;  /* the open directory the entry is in */
    char *rel;   /* its path from the root */
    buf out;
    uint64_t fp[2];
    int64_t newest;
    int rc;
    int done;
} task;

static int rootFd;
static task *tasks;
static size_t taskCount;
static size_t nextTask;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;

static void run(task *t) {
    t->rc = walk(t->parent, t->e, t->rel, &t->out, t->fp, &t->newest);
    pthread_mutex_lock(&lock);
    t->done = 1;
    pthread_cond_broadcast(&finished);
    pthread_mutex_unlock(&lock);
}

/* Claims the next unclaimed task, or returns NULL. */
static task *claim(void) {
    pthread_mutex_lock(&lock);
    task *t = nextTask < taskCount ? &tasks[nextTask++] : NULL;
    pthread_mutex_unlock(&lock);
    return t;
}

static void *worker(void *arg) {
    (void) arg;
    task *t;
    while ((t = claim()) != NULL) {
        run(t);
    }
    return NULL;
}

/* Waits until task t is done. Tasks are claimed in order and the caller takes them in order: work on one meanwhile. */
static void await_task(task *t) {
    task *mine;
    while (!t->done && (mine = claim()) != NULL) {
        run(mine);
    }
    pthread_mutex_lock(&lock);
    while (!t->done) {
        pthread_cond_wait(&finished, &lock);
    }
    pthread_mutex_unlock(&lock);
}


static void emit(const void *p, size_t n) {
    if (fwrite(p, 1, n, stdout) != n) {
        exit(4); /* the reader went away */
    }
}

/* --xattrs PATH. */
static int xattrs(const char *path) {
    buf out = {0};
    xattr_collect(path, &out);
    emit(out.data, out.len);
    return fflush(stdout) == 0 ? 0 : 4;
}


/* ---- the record stream, turned into the columns of wharf's SnapshotRows as it comes ---- */

/* Whether s is UTF-8 that Java decodes without replacing anything (no overlong forms, surrogates or > U+10FFFF). */
static int valid_utf8(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return 0;
        }
        if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) {
            return 0;
        }
        for (size_t k = 2; k < len; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) {
                return 0;
            }
        }
        i += len;
    }
    return 1;
}

#define PAGE 65536
enum { KIND_FILE, KIND_DIR, KIND_DIR_HEADER, KIND_SYMLINK }; /* ContextSnapshot.Kind's ordinals */

typedef struct {
    buf kind, mode, uid, gid, nlink, size, mtime, ctime, ino, dev, rdev, keyAt;
    buf pages;      /* per page: u32 allocated length, u32 used length, then the used bytes */
    size_t pageAt;  /* offset in pages of the current page's header, or (size_t) -1 */
    uint32_t pageCount, pageUsed;
    uint32_t rows;
    int nonAscii, invalid;
} table;

static void page_close(table *t) {
    if (t->pageAt != (size_t) -1) {
        put32(t->pages.data + t->pageAt + 4, t->pageUsed);
    }
}

static void page_open(table *t, uint32_t alloc) {
    page_close(t);
    t->pageAt = t->pages.len;
    uint8_t *h = need(&t->pages, 8);
    put32(h, alloc);
    put32(h + 4, 0);
    t->pageCount++;
    t->pageUsed = 0;
}

static void putbe(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t) (v >> 24); p[1] = (uint8_t) (v >> 16); p[2] = (uint8_t) (v >> 8); p[3] = (uint8_t) v;
}

/* SnapshotRows.store: the key and the symlink target (if any) with big-endian lengths in 64 KiB pages. */
static uint64_t store(table *t, const uint8_t *key, size_t keyLen, const uint8_t *target, size_t targetLen,
                      int hasTarget) {
    size_t needed = 4 + keyLen + (hasTarget ? 4 + targetLen : 0);
    if (needed > PAGE) {
        page_open(t, (uint32_t) needed);
        t->pageUsed = PAGE; /* a huge key gets a page of its own, and the next key a new page */
    } else if (t->pageAt == (size_t) -1 || t->pageUsed + needed > PAGE) {
        page_open(t, PAGE);
    }
    uint32_t at = needed > PAGE ? 0 : t->pageUsed;
    uint8_t *p = need(&t->pages, needed);
    putbe(p, (uint32_t) keyLen);
    memcpy(p + 4, key, keyLen);
    if (hasTarget) {
        putbe(p + 4 + keyLen, (uint32_t) targetLen);
        memcpy(p + 8 + keyLen, target, targetLen);
    }
    if (needed > PAGE) {
        t->pageUsed = (uint32_t) needed;
        page_close(t);
        t->pageAt = (size_t) -1; /* the next key opens a new page, as pageUsed = PAGE does in Java */
    } else {
        t->pageUsed += (uint32_t) needed;
    }
    return ((uint64_t) (t->pageCount - 1) << 32) | at;
}

static void row(table *t, uint8_t kind, const uint8_t *r, const uint8_t *key, size_t keyLen) {
    *(uint8_t *) need(&t->kind, 1) = kind;
    memcpy(need(&t->mode, 4), r + 5, 4);
    memcpy(need(&t->uid, 4), r + 9, 4);
    memcpy(need(&t->gid, 4), r + 13, 4);
    memcpy(need(&t->nlink, 4), r + 17, 4);
    memcpy(need(&t->size, 8), r + 21, 8);
    memcpy(need(&t->mtime, 8), r + 29, 8);
    memcpy(need(&t->ctime, 8), r + 37, 8);
    memcpy(need(&t->ino, 8), r + 45, 8);
    memcpy(need(&t->dev, 8), r + 53, 8);
    memcpy(need(&t->rdev, 8), r + 61, 8);
    uint16_t nameLen, linkLen;
    memcpy(&nameLen, r + 1, 2);
    memcpy(&linkLen, r + 3, 2);
    uint64_t keyAt = store(t, key, keyLen, r + HEADER_BYTES + nameLen, linkLen, kind == KIND_SYMLINK && linkLen > 0);
    memcpy(need(&t->keyAt, 8), &keyAt, 8);
    t->rows++;
}

static int put_out(const void *p, size_t n) {
    return n == 0 || fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/*
 * The records ('F', 'U', 'P' of the walk, in walk order) turned into rows as they come, and written out as they are
 * complete, so that the JVM reads the first rows while the rest of the tree is still being walked:
 *   'B' u32 n, u32 flags, then for these n rows (4096 but in the last block) the kind bytes, the mode, uid, gid and
 *       nlink ints, the size, mtime, ctime, inode, device, rdev and key-position longs; flags 4, 8, 16, 32: the
 *       uid, gid, device, rdev column holds one value for the block's rows, written once;
 *   'G' u32 count, then that many key pages, each u32 allocated length, u32 used length, the used bytes;
 *   'E' u32 rows, u32 pages, u32 fingerprints, u32 flags (1: a name or target is not valid UTF-8, 2: one is not
 *       ASCII), then as two columns in row order the directory rows, u32 each (its top bit set when the directory
 *       was pruned by a rule, its entries not listed), and their u64 fp0, u64 fp1, i64 newest;
 *   'T' u32 count, u32 bytes, then per entry whose xattrs were read (--xattrs-since) u64 device, u64 inode, i64 ctime,
 *       u32 length and the attributes as --xattrs writes them; then 'Z'. Columns,
 *       so that the JVM copies them in bulk rather than decoding a record per directory in interpreted code.
 * Rows 0 and 1 are the root's DIR and DIR_HEADER (ContextSnapshot's fixed root stat); each directory has a DIR row
 * at its key and a DIR_HEADER row at its key + NUL.
 */
#define BLOCK 4096

typedef struct {
    table t;
    buf fpRows, fps, key; /* per directory: its row (u32); its fp0, fp1, newest (24 bytes) */
    size_t fpCount;
    size_t *lens;  /* key length per open directory */
    size_t *slots; /* fingerprint slot per open directory */
    size_t depth, depthCap, open;
    uint32_t rowsOut; /* rows written: whole blocks but at the end */
    uint8_t lastKey[24]; /* the device, inode and ctime of the last 'F' record */
    buf xattrs;          /* per 'T' record: u64 device, u64 inode, i64 ctime, u32 length, the attributes */
    uint32_t xattrCount;
    size_t pagesOutAt;  /* bytes of t.pages written */
    uint32_t pagesOut;
} conv;

static void conv_init(conv *c) {
    memset(c, 0, sizeof *c);
    c->t.pageAt = (size_t) -1;
    c->depthCap = 64;
    c->lens = malloc(c->depthCap * sizeof(size_t));
    c->slots = malloc(c->depthCap * sizeof(size_t));
    if (!c->lens || !c->slots) {
        perror("wharf-scan: out of memory");
        exit(3);
    }
    uint8_t rootRecord[HEADER_BYTES] = {0};
    uint32_t rootMode = 040755, two = 2;
    memcpy(rootRecord + 5, &rootMode, 4);
    memcpy(rootRecord + 17, &two, 4);
    row(&c->t, KIND_DIR, rootRecord, (const uint8_t *) "", 0);
    row(&c->t, KIND_DIR_HEADER, rootRecord, (const uint8_t *) "\0", 1);
    c->lens[0] = 0;
    c->slots[0] = c->fpCount++;
    put32(need(&c->fpRows, 4), 0);
    memset(need(&c->fps, 24), 0, 24);
    c->open = 1;
}

/* Turns the records in data into rows; -1 on a failure record ('X': the Java walk reports it) or a bad one. */
static int conv_feed(conv *c, const uint8_t *data, size_t len) {
    table *t = &c->t;
    for (size_t at = 0; at < len;) {
        const uint8_t *r = data + at;
        if (r[0] == 'F') {
            uint16_t nameLen, linkLen;
            memcpy(&nameLen, r + 1, 2);
            memcpy(&linkLen, r + 3, 2);
            const uint8_t *name = r + HEADER_BYTES;
            for (size_t i = 0; i < (size_t) nameLen + linkLen; i++) {
                if (name[i] >= 0x80) {
                    t->nonAscii = 1;
                    if (!valid_utf8(name, nameLen) || !valid_utf8(name + nameLen, linkLen)) {
                        t->invalid = 1;
                    }
                    break;
                }
            }
            c->key.len = c->lens[c->depth];
            uint8_t *k = need(&c->key, 1 + nameLen);
            k[0] = 0;
            memcpy(k + 1, name, nameLen);
            uint32_t mode;
            memcpy(&mode, r + 5, 4);
            if (S_ISDIR(mode)) {
                row(t, KIND_DIR, r, c->key.data, c->key.len);
                *(uint8_t *) need(&c->key, 1) = 0;
                row(t, KIND_DIR_HEADER, r, c->key.data, c->key.len);
                c->key.len--;
                if (++c->depth == c->depthCap) {
                    c->depthCap *= 2;
                    c->lens = realloc(c->lens, c->depthCap * sizeof(size_t));
                    c->slots = realloc(c->slots, c->depthCap * sizeof(size_t));
                    if (!c->lens || !c->slots) {
                        perror("wharf-scan: out of memory");
                        exit(3);
                    }
                }
                c->lens[c->depth] = c->key.len;
                c->slots[c->depth] = c->fpCount++;
                put32(need(&c->fpRows, 4), t->rows - 2);
                memset(need(&c->fps, 24), 0, 24);
                c->open++;
            } else {
                row(t, S_ISLNK(mode) ? KIND_SYMLINK : KIND_FILE, r, c->key.data, c->key.len);
            }
            memcpy(c->lastKey, r + 53, 8);      /* device */
            memcpy(c->lastKey + 8, r + 45, 8);  /* inode */
            memcpy(c->lastKey + 16, r + 37, 8); /* ctime */
            at += HEADER_BYTES + nameLen + linkLen;
        } else if (r[0] == 'T') {
            uint32_t n;
            memcpy(&n, r + 1, 4);
            if (at + 5 + (size_t) n > len) {
                return -1;
            }
            uint8_t *x = need(&c->xattrs, 28 + (size_t) n);
            memcpy(x, c->lastKey, 24);
            put32(x + 24, n);
            memcpy(x + 28, r + 5, n);
            c->xattrCount++;
            at += 5 + (size_t) n;
        } else if (r[0] == 'U' || r[0] == 'P') {
            if (c->open == 0) {
                return -1;
            }
            memcpy(c->fps.data + c->slots[c->depth] * 24, r + 1, 24);
            if (r[0] == 'P') { /* the row's top bit marks a directory left unlisted */
                uint8_t *f = c->fpRows.data + c->slots[c->depth] * 4;
                uint32_t rowAt;
                memcpy(&rowAt, f, 4);
                put32(f, rowAt | 0x80000000u);
            }
            c->open--;
            if (c->depth > 0) {
                c->depth--;
            }
            at += 25;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Writes the rows [from, from + n) as a 'B' block. */
static int conv_block(conv *c, uint32_t from, uint32_t n) {
    table *t = &c->t;
    buf *cols[] = {&t->kind, &t->mode, &t->uid, &t->gid, &t->nlink, &t->size, &t->mtime, &t->ctime, &t->ino,
                   &t->dev, &t->rdev, &t->keyAt};
    size_t width[] = {1, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8};
    int single[] = {0, 0, 4, 8, 0, 0, 0, 0, 0, 16, 32, 0}; /* the flag of a column that may be sent once */
    uint32_t flags = 0;
    for (int i = 0; i < 12; i++) {
        if (single[i]) {
            const uint8_t *d = cols[i]->data + (size_t) from * width[i];
            size_t k = 1;
            while (k < n && memcmp(d + k * width[i], d, width[i]) == 0) {
                k++;
            }
            if (k == n) {
                flags |= (uint32_t) single[i];
            }
        }
    }
    uint8_t head[9] = {'B'};
    put32(head + 1, n);
    put32(head + 5, flags);
    if (put_out(head, sizeof head) != 0) {
        return -1;
    }
    for (int i = 0; i < 12; i++) {
        size_t bytes = (flags & (uint32_t) single[i]) ? width[i] : (size_t) n * width[i];
        if (put_out(cols[i]->data + (size_t) from * width[i], bytes) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Writes the complete blocks of rows and the closed key pages (all of them when final). */
static int conv_emit(conv *c, int final) {
    table *t = &c->t;
    while (t->rows - c->rowsOut >= BLOCK || (final && t->rows > c->rowsOut)) {
        uint32_t n = t->rows - c->rowsOut < BLOCK ? t->rows - c->rowsOut : BLOCK;
        if (conv_block(c, c->rowsOut, n) != 0) {
            return -1;
        }
        c->rowsOut += n;
    }
    size_t end = final || t->pageAt == (size_t) -1 ? t->pages.len : t->pageAt;
    uint32_t closed = t->pageCount - (final || t->pageAt == (size_t) -1 ? 0 : 1);
    if (closed > c->pagesOut) {
        uint8_t head[5] = {'G'};
        put32(head + 1, closed - c->pagesOut);
        if (put_out(head, sizeof head) != 0 || put_out(t->pages.data + c->pagesOutAt, end - c->pagesOutAt) != 0) {
            return -1;
        }
        c->pagesOut = closed;
        c->pagesOutAt = end;
    }
    return fflush(stdout) == 0 ? 0 : -1;
}

/* Writes what is left and the trailer; -1 when the records did not close every directory. */
static int conv_finish(conv *c) {
    table *t = &c->t;
    if (c->open != 0) {
        return -1;
    }
    page_close(t);
    if (conv_emit(c, 1) != 0) {
        return -1;
    }
    uint8_t trailer[17] = {'E'};
    put32(trailer + 1, t->rows);
    put32(trailer + 5, t->pageCount);
    put32(trailer + 9, (uint32_t) c->fpCount);
    put32(trailer + 13, (uint32_t) (t->invalid | t->nonAscii << 1));
    if (put_out(trailer, sizeof trailer) != 0 || put_out(c->fpRows.data, c->fpRows.len) != 0
            || put_out(c->fps.data, c->fps.len) != 0) {
        return -1;
    }
    uint8_t x[9] = {'T'};
    put32(x + 1, c->xattrCount);
    put32(x + 5, (uint32_t) c->xattrs.len);
    if (put_out(x, sizeof x) != 0 || put_out(c->xattrs.data, c->xattrs.len) != 0) {
        return -1;
    }
    return put_out("Z", 1);
}

/* Adds t's walk (its entry's subtree and its end) to the output and its fingerprint to h; -1 after a failure. */
static int take(conv *cv, task *t, sip *h, int64_t *newest) {
    await_task(t);
    /* A failure ('X') in it ends the output short: the JVM then walks with java.nio and reports it. */
    if (t->rc != 0 || conv_feed(cv, t->out.data, t->out.len) != 0) {
        return -1;
    }
    free(t->out.data);
    t->out.data = NULL;
    uint8_t sum[24];
    put64(sum, t->fp[0]);
    put64(sum + 8, t->fp[1]);
    put64(sum + 16, (uint64_t) t->newest);
    sip_update(h, sum, 24);
    if (t->newest > *newest) {
        *newest = t->newest;
    }
    return 0;
}

static char *join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) {
        perror("wharf-scan: out of memory");
        exit(3);
    }
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

/* A root directory listed by the main thread, so that its subdirectories are tasks of their own. */
typedef struct {
    int expanded;
    int fd;
    entry *kids;
    size_t n;
} level;

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--xattrs") == 0) {
        return xattrs(argv[2]);
    }
    const char *keyFile = NULL, *listings = NULL, *window = NULL;
    int rulesOnStdin = 0, usage = argc < 2;
    for (int i = 2; i < argc && !usage; i++) {
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc && !keyFile) {
            keyFile = argv[++i];
        } else if (strcmp(argv[i], "--rules") == 0) {
            rulesOnStdin = 1;
        } else if (strcmp(argv[i], "--xattrs-since") == 0 && i + 1 < argc) {
            xattrsSince = strtoll(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--listings") == 0 && i + 2 < argc && !listings) {
            listings = argv[++i];
            window = argv[++i];
        } else {
            usage = 1;
        }
    }
    if (usage || (rulesOnStdin && !keyFile)) {
        fprintf(stderr, "usage: wharf-scan ROOT [--key KEYFILE [--rules]] [--listings FILE WINDOW_NS] "
                "[--xattrs-since NS] < [KEY] [RULES]\n");
        return 2;
    }
    if (keyFile ? read_key(keyFile) != 0 : fread(keys, 1, sizeof keys, stdin) != sizeof keys) {
        fprintf(stderr, "wharf-scan: expected a 32-byte key %s\n", keyFile ? "file" : "on standard input");
        return 2;
    }
    if ((!keyFile || rulesOnStdin) && read_rules() != 0) {
        fprintf(stderr, "wharf-scan: malformed rules after the key\n");
        return 2;
    }
    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    (void) fcntl(1, F_SETPIPE_SZ, 1 << 20); /* fewer, larger reads for the JVM; the default size if refused */
        buf out = {0};
    rootPath = argv[1];
    rootFd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (rootFd < 0 || fstat(rootFd, &st) != 0) {
        fail(&out, errno, "");
        return 1; /* the Java walk reports it */
    }
    if (listings) {
        listing_open(rootFd, listings, strtoll(window, NULL, 10), (uint64_t) st.st_dev);
    }
    size_t rootLen;
    entry root = {.name = ".", .isDir = 1};
    root.record = encode(&st, "", 0, "", 0, &rootLen);
    root.recordLen = rootLen;
    int64_t m = nanos(st.st_mtim), c = nanos(st.st_ctim);
    root.newest = m > c ? m : c;
    sip h;
    sip_init(&h);
    sip_update(&h, root.record, root.recordLen);
    int64_t newest = root.newest;
    size_t n;
    entry *es = list(rootFd, "", root.record, &out, &n);
    if (!es) {
        return 1; /* the Java walk reports it */
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = cpus > 1 ? (int) (cpus < 8 ? cpus : 8) - 1 : 0;
    /*
     * With few directories at the root (a project whose files are all under src/), the root's directories are
     * listed here and their subdirectories are the tasks, so that every core has work; the output is the same.
     */
    size_t rootDirs = 0;
    for (size_t i = 0; i < n; i++) {
        rootDirs += es[i].isDir ? 1 : 0;
    }
    level *lv = calloc(n ? n : 1, sizeof(level));
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (!es[i].isDir) {
            continue;
        }
        if (threads > 0 && rootDirs < 4 * (size_t) (threads + 1) && !pruned(es[i].name, es[i].name)) {
            lv[i].expanded = 1;
            lv[i].fd = openat(rootFd, es[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (lv[i].fd < 0) {
                if (errno != ENOENT) {
                    return 1; /* the Java walk reports it */
                }
                continue; /* gone before it was listed: an empty directory, as walk() has it */
            }
            lv[i].kids = list(lv[i].fd, es[i].name, es[i].record, &out, &lv[i].n);
            if (!lv[i].kids) {
                return 1; /* the Java walk reports it */
            }
            for (size_t k = 0; k < lv[i].n; k++) {
                count += lv[i].kids[k].isDir ? 1 : 0;
            }
        } else {
            count++;
        }
    }
    tasks = calloc(count ? count : 1, sizeof(task));
    for (size_t i = 0; i < n; i++) {
        if (!es[i].isDir) {
            continue;
        }
        if (!lv[i].expanded) {
            tasks[taskCount++] = (task) {.e = &es[i], .parent = rootFd, .rel = es[i].name};
            continue;
        }
        for (size_t k = 0; k < lv[i].n; k++) {
            if (lv[i].kids[k].isDir) {
                tasks[taskCount++] = (task) {.e = &lv[i].kids[k], .parent = lv[i].fd,
                                             .rel = join(es[i].name, lv[i].kids[k].name)};
            }
        }
    }
    if ((size_t) threads > taskCount) {
        threads = (int) taskCount;
    }
    pthread_t ids[8];
    int started = 0;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, worker, NULL) == 0) {
            started++;
        }
    }
    conv cv;
    conv_init(&cv);
    int rc = 0;
    size_t next = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (conv_feed(&cv, es[i].record, es[i].recordLen) != 0
                || (es[i].xattr && conv_feed(&cv, es[i].xattr, es[i].xattrLen) != 0)) {
            _exit(4);
        }
        sip_update(&h, es[i].record, es[i].recordLen);
        if (es[i].newest > newest) {
            newest = es[i].newest;
        }
        if (!es[i].isDir) {
            continue;
        }
        if (!lv[i].expanded) {
            rc = take(&cv, &tasks[next++], &h, &newest);
        } else {
            /* What walk() does for this directory, its subdirectories' walks taken from their tasks. */
            sip hd;
            sip_init(&hd);
            sip_update(&hd, es[i].record, es[i].recordLen);
            int64_t newestD = es[i].newest;
            for (size_t k = 0; k < lv[i].n && rc == 0; k++) {
                const entry *kid = &lv[i].kids[k];
                if (conv_feed(&cv, kid->record, kid->recordLen) != 0
                        || (kid->xattr && conv_feed(&cv, kid->xattr, kid->xattrLen) != 0)) {
                    _exit(4);
                }
                sip_update(&hd, kid->record, kid->recordLen);
                if (kid->newest > newestD) {
                    newestD = kid->newest;
                }
                if (kid->isDir) {
                    rc = take(&cv, &tasks[next++], &hd, &newestD);
                }
            }
            if (rc == 0) {
                uint64_t fpD[2];
                out.len = 0;
                end_dir(&out, &hd, newestD, fpD);
                if (conv_feed(&cv, out.data, out.len) != 0) {
                    _exit(4);
                }
                uint8_t sum[24];
                put64(sum, fpD[0]);
                put64(sum + 8, fpD[1]);
                put64(sum + 16, (uint64_t) newestD);
                sip_update(&h, sum, 24);
                if (newestD > newest) {
                    newest = newestD;
                }
            }
        }
        if (rc == 0 && conv_emit(&cv, 0) != 0) {
            _exit(4);
        }
    }
    if (rc != 0) {
        _exit(4);
    }
    uint64_t fp[2];
    out.len = 0;
    end_dir(&out, &h, newest, fp);
    if (conv_feed(&cv, out.data, out.len) != 0 || conv_finish(&cv) != 0 || fflush(stdout) != 0) {
        _exit(4);
    }
    listing_write(); /* every task is done: the whole output was written */
    _exit(0); /* workers still walking after a failure need not be waited for */
}
