/* cli/native/build.sh: minimal stand-in for GraalVM's builder helper: terminal width and peak RSS of the builder. */
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env, jclass c) {
  struct winsize w; if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col; return -1;
}
JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass c) {
  struct rusage u; if (getrusage(RUSAGE_SELF, &u) == 0) return (jlong) u.ru_maxrss * 1024; return -1;
}
