/*
 * The JNI half of dev.wharf.layers.compress.JniDeflate: the host's libdeflate (Debian libdeflate0), opened with
 * dlopen by its soname so that neither its headers nor its -dev package are needed to build this, and so that a
 * host without it only loses the fast path (the Java side then compresses with zlib). Compiled at package time by
 * build-jni.sh when gcc is there.
 *
 * Why not jnr-ffi (the other binding, LibDeflate.Lib): jffi's set-up costs a fresh JVM 25-40 ms before the first
 * call, and a GraalVM native image of the CLI cannot use jnr-ffi at all (it generates classes at run time), which
 * left the native CLI compressing with zlib, about half libdeflate's speed.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

/* libdeflate 1.x's ABI (libdeflate.h), declared here rather than included. */
typedef void *(*alloc_fn)(int level);
typedef size_t (*compress_fn)(void *c, const void *in, size_t in_bytes, void *out, size_t out_available);
typedef size_t (*bound_fn)(void *c, size_t in_bytes);
typedef void (*free_fn)(void *c);

static alloc_fn alloc_compressor;
static compress_fn deflate_compress;
static bound_fn deflate_compress_bound;
static free_fn free_compressor;

#define FN(name) Java_dev_wharf_layers_compress_JniDeflate_##name

/* Opens libdeflate once (the Java side calls this from a class initialiser); 1 when every function was found. */
JNIEXPORT jint JNICALL FN(open)(JNIEnv *env, jclass cls) {
    (void) env;
    (void) cls;
    void *lib = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        lib = dlopen("libdeflate.so", RTLD_NOW | RTLD_LOCAL);
    }
    if (lib == NULL) {
        return 0;
    }
    alloc_compressor = (alloc_fn) dlsym(lib, "libdeflate_alloc_compressor");
    deflate_compress = (compress_fn) dlsym(lib, "libdeflate_deflate_compress");
    deflate_compress_bound = (bound_fn) dlsym(lib, "libdeflate_deflate_compress_bound");
    free_compressor = (free_fn) dlsym(lib, "libdeflate_free_compressor");
    return alloc_compressor && deflate_compress && deflate_compress_bound && free_compressor;
}

JNIEXPORT jlong JNICALL FN(alloc)(JNIEnv *env, jclass cls, jint level) {
    (void) env;
    (void) cls;
    return (jlong) (intptr_t) alloc_compressor(level);
}

JNIEXPORT jlong JNICALL FN(bound)(JNIEnv *env, jclass cls, jlong compressor, jlong in_bytes) {
    (void) env;
    (void) cls;
    return (jlong) deflate_compress_bound((void *) (intptr_t) compressor, (size_t) in_bytes);
}

/* Raw deflate of in[0, in_bytes) into out; both are direct buffers the caller sized. 0 when it did not fit. */
JNIEXPORT jlong JNICALL FN(compress)(JNIEnv *env, jclass cls, jlong compressor, jobject in, jlong in_bytes,
        jobject out, jlong out_available) {
    (void) cls;
    void *src = (*env)->GetDirectBufferAddress(env, in);
    void *dst = (*env)->GetDirectBufferAddress(env, out);
    if (src == NULL || dst == NULL) {
        return -1;
    }
    return (jlong) deflate_compress((void *) (intptr_t) compressor, src, (size_t) in_bytes, dst,
            (size_t) out_available);
}

JNIEXPORT void JNICALL FN(free)(JNIEnv *env, jclass cls, jlong compressor) {
    (void) env;
    (void) cls;
    free_compressor((void *) (intptr_t) compressor);
}
