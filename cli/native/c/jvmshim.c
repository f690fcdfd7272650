/* cli/native/build.sh: a stand-in libjvm.so so that the JDK's own shared libjava/libnio/libnet/libzip can be used by a
 * SubstrateVM image when no static JDK libraries exist. Implements the JVM_ entry points those libraries reach at run
 * time in an image; build.sh generates the others, which abort with their name (jvmshim-stubs.c in target/native). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

JNIEXPORT void initialize(void) {}
JNIEXPORT jint JVM_ActiveProcessorCount(void) {
  cpu_set_t s; if (sched_getaffinity(0, sizeof s, &s) == 0) { int n = CPU_COUNT(&s); if (n > 0) return n; }
  return (jint) sysconf(_SC_NPROCESSORS_ONLN);
}
JNIEXPORT jlong JVM_CurrentTimeMillis(JNIEnv *env, jclass c) { struct timeval tv; gettimeofday(&tv, NULL); return (jlong) tv.tv_sec * 1000 + tv.tv_usec / 1000; }
JNIEXPORT jlong JVM_NanoTime(JNIEnv *env, jclass c) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (jlong) t.tv_sec * 1000000000L + t.tv_nsec; }
JNIEXPORT jlong JVM_GetNanoTimeAdjustment(JNIEnv *env, jclass c, jlong offset) {
  struct timespec t; clock_gettime(CLOCK_REALTIME, &t); jlong secs = (jlong) t.tv_sec - offset;
  if (secs > 0xFFFFFFFFL || secs < -0xFFFFFFFFL) return -1;
  return secs * 1000000000L + t.tv_nsec;
}
JNIEXPORT void *JVM_FindLibraryEntry(void *handle, const char *name) { return dlsym(handle ? handle : RTLD_DEFAULT, name); }
JNIEXPORT void *JVM_LoadLibrary(const char *name, jboolean throwException) { return dlopen(name, RTLD_LAZY); }
JNIEXPORT void JVM_UnloadLibrary(void *handle) { dlclose(handle); }
JNIEXPORT void *JVM_RawMonitorCreate(void) {
  pthread_mutex_t *m = malloc(sizeof *m); pthread_mutexattr_t a; pthread_mutexattr_init(&a);
  pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE); pthread_mutex_init(m, &a); return m;
}
JNIEXPORT void JVM_RawMonitorDestroy(void *m) { pthread_mutex_destroy(m); free(m); }
JNIEXPORT jint JVM_RawMonitorEnter(void *m) { return pthread_mutex_lock(m); }
JNIEXPORT void JVM_RawMonitorExit(void *m) { pthread_mutex_unlock(m); }
JNIEXPORT char *JVM_NativePath(char *path) { return path; }
JNIEXPORT jboolean JVM_IsUseContainerSupport(void) { return JNI_FALSE; }
JNIEXPORT jboolean JVM_IsContainerized(void) { return JNI_FALSE; }
JNIEXPORT jboolean JVM_IsSupportedJNIVersion(jint v) { return v >= JNI_VERSION_1_1 && v <= JNI_VERSION_24; }
JNIEXPORT jboolean JVM_RaiseSignal(jint sig) { return raise(sig) == 0; }
JNIEXPORT void *JVM_RegisterSignal(jint sig, void *handler) {
  struct sigaction n, o; memset(&n, 0, sizeof n); n.sa_handler = (void (*)(int)) handler; sigemptyset(&n.sa_mask);
  n.sa_flags = SA_RESTART; if (sigaction(sig, &n, &o) != 0) return (void *) -1; return (void *) o.sa_handler;
}
JNIEXPORT jint JVM_FindSignal(const char *name) {
  static const struct { const char *n; int s; } t[] = { {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"BUS", SIGBUS}, {"FPE", SIGFPE}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR}, {"SYS", SIGSYS} };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) if (!strcmp(name, t[i].n)) return t[i].s;
  return -1;
}
JNIEXPORT void JVM_Halt(jint code) { fflush(NULL); _exit(code); }
JNIEXPORT void JVM_BeforeHalt(void) {}
JNIEXPORT void JVM_Yield(JNIEnv *env, jclass c) { sched_yield(); }
JNIEXPORT void JVM_SleepNanos(JNIEnv *env, jclass c, jlong n) { struct timespec t = { n / 1000000000L, n % 1000000000L }; nanosleep(&t, NULL); }
JNIEXPORT void JVM_SetNativeThreadName(JNIEnv *env, jobject t, jstring name) {}
JNIEXPORT int jio_vsnprintf(char *b, size_t n, const char *f, va_list a) { if ((intptr_t) n <= 0) return -1; int r = vsnprintf(b, n, f, a); if (r < 0 || (size_t) r >= n) { b[n - 1] = 0; return -1; } return r; }
JNIEXPORT int jio_snprintf(char *b, size_t n, const char *f, ...) { va_list a; va_start(a, f); int r = jio_vsnprintf(b, n, f, a); va_end(a); return r; }
JNIEXPORT int jio_vfprintf(FILE *f, const char *fmt, va_list a) { return vfprintf(f, fmt, a); }
JNIEXPORT int jio_fprintf(FILE *f, const char *fmt, ...) { va_list a; va_start(a, fmt); int r = vfprintf(f, fmt, a); va_end(a); return r; }

/* The image calls JNI_OnLoad_<lib> for each JDK library it treats as built in; forward to that library's own JNI_OnLoad. */
/* A library linked in statically must answer at least JNI 1.8 (the JNI specification's rule for JNI_OnLoad_L); the
 * shared libraries answer 1.2, which is what they need. Only a library's own JNI_OnLoad is called, not one that
 * dlsym finds in a library it depends on. */
static jint forward(const char *soname, JavaVM *vm, void *reserved) {
  void *h = dlopen(soname, RTLD_NOLOAD | RTLD_NOW); if (!h) return JNI_VERSION_1_8;
  void *own = dlsym(h, "JNI_OnLoad"); Dl_info i;
  jint r = JNI_VERSION_1_8;
  if (own && dladdr(own, &i) && i.dli_fname && strstr(i.dli_fname, soname)) r = ((jint (*)(JavaVM *, void *)) own)(vm, reserved);
  return r < 0 ? r : (r < JNI_VERSION_1_8 ? JNI_VERSION_1_8 : r);
}
JNIEXPORT jint JNI_OnLoad_java(JavaVM *vm, void *r) { return forward("libjava.so", vm, r); }
JNIEXPORT jint JNI_OnLoad_nio(JavaVM *vm, void *r) { return forward("libnio.so", vm, r); }
JNIEXPORT jint JNI_OnLoad_net(JavaVM *vm, void *r) { return forward("libnet.so", vm, r); }
JNIEXPORT jint JNI_OnLoad_zip(JavaVM *vm, void *r) { return forward("libzip.so", vm, r); }
JNIEXPORT jint JNI_OnLoad_extnet(JavaVM *vm, void *r) { return forward("libextnet.so", vm, r); }
