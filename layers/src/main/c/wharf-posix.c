/*
 * The JNI half of dev.wharf.layers.posix.JniPosixFiles: the libc calls of layer creation and apply, each a thin
 * wrapper returning its result or -errno (never setting a Java exception, except OutOfMemoryError from the JVM's
 * own array functions), so that the Java side makes the same PosixCallException as the jffi binding. Paths and
 * names arrive as NUL-terminated byte arrays in the JVM's file-name encoding. Compiled at package time by
 * build-jni.sh when gcc is there; without it wharf uses the jffi binding (JnrPosixFiles).
 *
 * Why not jffi: its set-up (stub unpack check, System.load, symbol lookup and a call context per function) costs a
 * fresh JVM some 25-40 ms before the first call; this library is one System.load of a small file.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <dirent.h>

/* Bytes copied through the C stack per write call (Java threads have at least 512 KiB of stack). */
#define CHUNK (64 * 1024)

#define FN(name) Java_dev_wharf_layers_posix_JniPosixFiles_##name

/* A pinned or copied byte array as a C string; NULL when the array is null. */
static const char *chars(JNIEnv *env, jbyteArray a) {
    return a == NULL ? NULL : (const char *) (*env)->GetByteArrayElements(env, a, NULL);
}

static void release(JNIEnv *env, jbyteArray a, const char *s) {
    if (a != NULL && s != NULL) {
        (*env)->ReleaseByteArrayElements(env, a, (jbyte *) s, JNI_ABORT);
    }
}

static jint result(int r) {
    return r < 0 ? -errno : r;
}

JNIEXPORT jint JNICALL FN(open)(JNIEnv *env, jclass c, jbyteArray path, jint flags, jint mode) {
    (void) c;
    const char *p = chars(env, path);
    if (p == NULL) return -ENOMEM;
    int fd;
    do {
        fd = open(p, flags, (mode_t) mode);
    } while (fd < 0 && errno == EINTR);
    jint r = result(fd);
    release(env, path, p);
    return r;
}

JNIEXPORT jint JNICALL FN(close)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    return result(close(fd)); /* Linux frees the descriptor even on EINTR: never retried. */
}

/* Writes all of bytes[offset, offset+length); returns 0 or -errno. */
JNIEXPORT jint JNICALL FN(write)(JNIEnv *env, jclass c, jint fd, jbyteArray bytes, jint offset, jint length) {
    (void) c;
    char buf[CHUNK];
    while (length > 0) {
        jint n = length < CHUNK ? length : CHUNK;
        (*env)->GetByteArrayRegion(env, bytes, offset, n, (jbyte *) buf);
        if ((*env)->ExceptionCheck(env)) return -EINVAL;
        jint done = 0;
        while (done < n) {
            ssize_t w = write(fd, buf + done, (size_t) (n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                return -errno;
            }
            done += (jint) w;
        }
        offset += n;
        length -= n;
    }
    return 0;
}

/*
 * Reads up to length bytes into bytes[offset...] with one read(2) straight into the array; returns the count, 0 at
 * the end, or -errno. Not through a chunk on the C stack as write does: a layer reads every byte of its files here,
 * and the copy out of the stack buffer (and a call per 64 KiB) cost a fresh JVM writing bench/layers.sh's 367 MB tree
 * some 35 ms of CPU. The array stays pinned for the one call (GC waits for it), as zstd-jni pins its arrays for a
 * compression call; the caller's offset and length are checked on the Java side.
 */
JNIEXPORT jint JNICALL FN(read)(JNIEnv *env, jclass c, jint fd, jbyteArray bytes, jint offset, jint length) {
    (void) c;
    jbyte *array = (*env)->GetPrimitiveArrayCritical(env, bytes, NULL);
    if (array == NULL) return -ENOMEM;
    ssize_t r;
    do {
        r = read(fd, array + offset, (size_t) length);
    } while (r < 0 && errno == EINTR);
    int error = errno;
    /* 0: the bytes read must reach the array where the JVM gave a copy instead of pinning it. */
    (*env)->ReleasePrimitiveArrayCritical(env, bytes, array, 0);
    return r < 0 ? -error : (jint) r;
}

/*
 * Copies what is left of the file open at in to the file open at out, through a C buffer: no Java array between the
 * reads and the writes. Returns the bytes copied, or -errno of a failed read, or -(WRITE_FAILED + errno) of a failed
 * write (the Java side names the call and the file).
 */
#define WRITE_FAILED 0x10000
JNIEXPORT jlong JNICALL FN(copy)(JNIEnv *env, jclass c, jint in, jint out) {
    (void) env; (void) c;
    char buf[CHUNK];
    jlong total = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (r == 0) return total;
        ssize_t done = 0;
        while (done < r) {
            ssize_t w = write(out, buf + done, (size_t) (r - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                return -(WRITE_FAILED + errno);
            }
            done += w;
        }
        total += r;
    }
}

/* One getdents64 into records (its length); returns the bytes filled, 0 at the end, or -errno. */
JNIEXPORT jint JNICALL FN(getdents)(JNIEnv *env, jclass c, jint fd, jbyteArray records) {
    (void) c;
    char buf[CHUNK];
    jint cap = (*env)->GetArrayLength(env, records);
    ssize_t n;
    do {
        n = getdents64(fd, buf, (size_t) (cap < CHUNK ? cap : CHUNK));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if (n > 0) (*env)->SetByteArrayRegion(env, records, 0, (jint) n, (const jbyte *) buf);
    return (jint) n;
}

JNIEXPORT jint JNICALL FN(fchown)(JNIEnv *env, jclass c, jint fd, jint uid, jint gid) {
    (void) env; (void) c;
    return result(fchown(fd, (uid_t) uid, (gid_t) gid));
}

JNIEXPORT jint JNICALL FN(fchmod)(JNIEnv *env, jclass c, jint fd, jint mode) {
    (void) env; (void) c;
    return result(fchmod(fd, (mode_t) mode));
}

JNIEXPORT jint JNICALL FN(futimens)(JNIEnv *env, jclass c, jint fd, jlong seconds, jint nanos) {
    (void) env; (void) c;
    struct timespec t[2] = {{seconds, nanos}, {seconds, nanos}};
    return result(futimens(fd, t));
}

JNIEXPORT jint JNICALL FN(utimensat)(JNIEnv *env, jclass c, jbyteArray path, jlong seconds, jint nanos) {
    (void) c;
    const char *p = chars(env, path);
    if (p == NULL) return -ENOMEM;
    struct timespec t[2] = {{seconds, nanos}, {seconds, nanos}};
    jint r = result(utimensat(AT_FDCWD, p, t, AT_SYMLINK_NOFOLLOW));
    release(env, path, p);
    return r;
}

JNIEXPORT jint JNICALL FN(lchown)(JNIEnv *env, jclass c, jbyteArray path, jint uid, jint gid) {
    (void) c;
    const char *p = chars(env, path);
    if (p == NULL) return -ENOMEM;
    jint r = result(lchown(p, (uid_t) uid, (gid_t) gid));
    release(env, path, p);
    return r;
}

JNIEXPORT jint JNICALL FN(chmod)(JNIEnv *env, jclass c, jbyteArray path, jint mode) {
    (void) c;
    const char *p = chars(env, path);
    if (p == NULL) return -ENOMEM;
    jint r = result(chmod(p, (mode_t) mode));
    release(env, path, p);
    return r;
}

JNIEXPORT jint JNICALL FN(symlink)(JNIEnv *env, jclass c, jbyteArray target, jbyteArray link) {
    (void) c;
    const char *t = chars(env, target);
    const char *l = chars(env, link);
    jint r = t == NULL || l == NULL ? -ENOMEM : result(symlink(t, l));
    release(env, target, t);
    release(env, link, l);
    return r;
}

JNIEXPORT jint JNICALL FN(mknod)(JNIEnv *env, jclass c, jbyteArray path, jint mode, jlong device) {
    (void) c;
    const char *p = chars(env, path);
    if (p == NULL) return -ENOMEM;
    jint r = result(mknod(p, (mode_t) mode, (dev_t) device));
    release(env, path, p);
    return r;
}

/* lstat into statbuf (struct stat's bytes, as StructStat reads them). */
JNIEXPORT jint JNICALL FN(lstat)(JNIEnv *env, jclass c, jbyteArray path, jbyteArray statbuf) {
    (void) c;
    const char *p = chars(env, path);
    if (p == NULL) return -ENOMEM;
    struct stat st;
    jint r = result(fstatat(AT_FDCWD, p, &st, AT_SYMLINK_NOFOLLOW));
    release(env, path, p);
    if (r == 0) {
        jint len = (*env)->GetArrayLength(env, statbuf);
        (*env)->SetByteArrayRegion(env, statbuf, 0, len < (jint) sizeof st ? len : (jint) sizeof st,
                (const jbyte *) &st);
    }
    return r;
}

/* fstat of an open descriptor into statbuf (struct stat's bytes, as StructStat reads them). */
JNIEXPORT jint JNICALL FN(fstat)(JNIEnv *env, jclass c, jint fd, jbyteArray statbuf) {
    (void) c;
    struct stat st;
    jint r = result(fstat(fd, &st));
    if (r == 0) {
        jint len = (*env)->GetArrayLength(env, statbuf);
        (*env)->SetByteArrayRegion(env, statbuf, 0, len < (jint) sizeof st ? len : (jint) sizeof st,
                (const jbyte *) &st);
    }
    return r;
}

/* The size of struct stat here (the Java side checks it against StructStat's layout). */
JNIEXPORT jint JNICALL FN(statSize)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return (jint) sizeof(struct stat);
}

/* llistxattr into list (null: the size only); returns the size or -errno. */
JNIEXPORT jlong JNICALL FN(llistxattr)(JNIEnv *env, jclass c, jbyteArray path, jbyteArray list) {
    (void) c;
    const char *p = chars(env, path);
    if (p == NULL) return -ENOMEM;
    jlong r;
    if (list == NULL) {
        r = llistxattr(p, NULL, 0);
        r = r < 0 ? -errno : r;
    } else {
        jint cap = (*env)->GetArrayLength(env, list);
        char *buf = malloc(cap > 0 ? (size_t) cap : 1);
        if (buf == NULL) {
            r = -ENOMEM;
        } else {
            r = llistxattr(p, buf, (size_t) cap);
            r = r < 0 ? -errno : r;
            if (r > 0) (*env)->SetByteArrayRegion(env, list, 0, (jint) r, (const jbyte *) buf);
            free(buf);
        }
    }
    release(env, path, p);
    return r;
}

/* lgetxattr into value (null: the size only); returns the size or -errno. */
JNIEXPORT jlong JNICALL FN(lgetxattr)(JNIEnv *env, jclass c, jbyteArray path, jbyteArray name, jbyteArray value) {
    (void) c;
    const char *p = chars(env, path);
    const char *n = chars(env, name);
    jlong r;
    if (p == NULL || n == NULL) {
        r = -ENOMEM;
    } else if (value == NULL) {
        r = lgetxattr(p, n, NULL, 0);
        r = r < 0 ? -errno : r;
    } else {
        jint cap = (*env)->GetArrayLength(env, value);
        char *buf = malloc(cap > 0 ? (size_t) cap : 1);
        if (buf == NULL) {
            r = -ENOMEM;
        } else {
            r = lgetxattr(p, n, buf, (size_t) cap);
            r = r < 0 ? -errno : r;
            if (r > 0) (*env)->SetByteArrayRegion(env, value, 0, (jint) r, (const jbyte *) buf);
            free(buf);
        }
    }
    release(env, path, p);
    release(env, name, n);
    return r;
}

JNIEXPORT jint JNICALL FN(lsetxattr)(JNIEnv *env, jclass c, jbyteArray path, jbyteArray name, jbyteArray value) {
    (void) c;
    const char *p = chars(env, path);
    const char *n = chars(env, name);
    jint r;
    if (p == NULL || n == NULL) {
        r = -ENOMEM;
    } else {
        jint len = (*env)->GetArrayLength(env, value);
        jbyte *v = (*env)->GetByteArrayElements(env, value, NULL);
        if (v == NULL) {
            r = -ENOMEM;
        } else {
            r = result(lsetxattr(p, n, v, (size_t) len, 0));
            (*env)->ReleaseByteArrayElements(env, value, v, JNI_ABORT);
        }
    }
    release(env, path, p);
    release(env, name, n);
    return r;
}

JNIEXPORT jint JNICALL FN(geteuid)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return (jint) geteuid();
}

JNIEXPORT jstring JNICALL FN(strerror)(JNIEnv *env, jclass c, jint errnum) {
    (void) c;
    char buf[256];
    const char *s = strerror_r(errnum, buf, sizeof buf); /* GNU: returns the message */
    return (*env)->NewStringUTF(env, s == NULL ? "error" : s);
}

/*
 * The ustar header block of one tar entry, as dev.wharf.layers.tar.TarWriter formats it in Java (same fields, same
 * octal digits, same checksum), for the common entry that needs no PAX record: an ASCII name that fits ustar's name
 * (and prefix) fields, an ASCII link target of at most 100 bytes, and numbers that fit their octal fields. Returns 1
 * with the 512 bytes in header, or 0 (header untouched) when any of that does not hold: TarWriter then writes the
 * entry itself, PAX records and all. Why native: a layer writes a header per entry, and in a fresh JVM TarWriter's
 * per-entry code (the 512-byte checksum loop, the octal fields, the name's encoding and split) ran interpreted or in
 * C1's profiling code for thousands of entries, on the thread that feeds the compressor (perf of bench/layers.sh's
 * zstd case, issue #3). One call per header, on a C stack block; no Java exception is ever set.
 */
#define USTAR_MAX_NAME 256 /* prefix (155), '/', name (100) */
#define MAX_OCTAL_7 07777777LL
#define MAX_OCTAL_11 077777777777LL

/* As TarWriter.octal: width - 1 octal digits, zero-padded, then a NUL; the value's bits above them are dropped. */
static void octal(unsigned char *h, int offset, int width, jlong value) {
    int end = offset + width - 1;
    unsigned long long rest = (unsigned long long) value;
    h[end] = 0;
    for (int i = end - 1; i >= offset; i--) {
        h[i] = (unsigned char) ('0' + (rest & 7));
        rest >>= 3;
    }
}

/* Copies s (length n) as ASCII bytes into out (room for max bytes); -1 when it is longer or not ASCII (as
 * TarWriter.isAscii: NUL and 0x7f upwards are not). */
static int ascii(JNIEnv *env, jstring s, jsize n, unsigned char *out, int max) {
    jchar chars[USTAR_MAX_NAME];
    if (n > max) return -1;
    (*env)->GetStringRegion(env, s, 0, n, chars);
    for (jsize i = 0; i < n; i++) {
        if (chars[i] == 0 || chars[i] > 0x7e) return -1;
        out[i] = (unsigned char) chars[i];
    }
    return (int) n;
}

JNIEXPORT jint JNICALL FN(formatUstarHeader)(JNIEnv *env, jclass c, jstring name, jint type, jint mode, jlong uid,
        jlong gid, jlong size, jlong mtime, jstring linkName, jlong devMajor, jlong devMinor, jbyteArray header) {
    (void) c;
    unsigned char n[USTAR_MAX_NAME + 1], link[100], h[512];
    if (size < 0 || size > MAX_OCTAL_11 || uid < 0 || uid > MAX_OCTAL_7 || gid < 0 || gid > MAX_OCTAL_7
            || mtime < 0 || mtime > MAX_OCTAL_11 || devMajor < 0 || devMajor > MAX_OCTAL_7 || devMinor < 0
            || devMinor > MAX_OCTAL_7) {
        return 0;
    }
    int len = ascii(env, name, (*env)->GetStringLength(env, name), n, USTAR_MAX_NAME);
    if (len < 0) return 0;
    /* A directory's name ends with '/' (TarWriter adds it). */
    if (type == '5' && (len == 0 || n[len - 1] != '/')) {
        if (len == USTAR_MAX_NAME) return 0;
        n[len++] = '/';
    }
    int linkLen = ascii(env, linkName, (*env)->GetStringLength(env, linkName), link, 100);
    if (linkLen < 0) return 0;
    /* TarWriter.ustarSplit: the longest prefix (at most 155 bytes) that ends just before a slash and leaves a name of
     * 1 to 100 bytes. */
    int split = 0;
    if (len > 100) {
        split = -1;
        for (int i = len - 1 < 155 ? len - 1 : 155; i > 0; i--) {
            if (n[i] == '/' && len - i - 1 <= 100 && len - i - 1 > 0) {
                split = i;
                break;
            }
        }
        if (split < 0) return 0;
    }
    memset(h, 0, sizeof h);
    if (split == 0) {
        memcpy(h, n, (size_t) len);
    } else {
        memcpy(h, n + split + 1, (size_t) (len - split - 1));
        memcpy(h + 345, n, (size_t) split);
    }
    octal(h, 100, 8, mode);
    octal(h, 108, 8, uid);
    octal(h, 116, 8, gid);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    h[156] = (unsigned char) type;
    memcpy(h + 157, link, (size_t) linkLen);
    memcpy(h + 257, "ustar\0" "00", 8);
    int device = type == '3' || type == '4';
    octal(h, 329, 8, device ? devMajor : 0);
    octal(h, 337, 8, device ? devMinor : 0);
    memset(h + 148, ' ', 8);
    jlong sum = 0;
    for (int i = 0; i < 512; i++) {
        sum += h[i];
    }
    octal(h, 148, 7, sum);
    (*env)->SetByteArrayRegion(env, header, 0, 512, (const jbyte *) h);
    return 1;
}
