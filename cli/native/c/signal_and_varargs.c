/* cli/native/build.sh: own implementation of the small C helpers SubstrateVM 25 declares in CSunMiscSignal,
 * PosixVMThreads (fprintfSD), Fcntl (openSII) and LinuxLibCHelper (mremapP). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>

/* sun.misc.Signal dispatch: the handler counts a signal and posts a semaphore; a Java thread waits on it. */
static atomic_int pending[NSIG];
static sem_t sem;
static atomic_int opened;
int cSunMiscSignal_open(void) { if (atomic_exchange(&opened, 1)) return 0; for (int i = 0; i < NSIG; i++) pending[i] = 0; return sem_init(&sem, 0, 0); }
int cSunMiscSignal_close(void) { if (!atomic_exchange(&opened, 0)) return 0; return sem_destroy(&sem); }
int cSunMiscSignal_awaitSemaphore(void) { int r; while ((r = sem_wait(&sem)) != 0 && errno == EINTR) {} return r; }
int cSunMiscSignal_signalSemaphore(void) { return sem_post(&sem); }
int cSunMiscSignal_signalRangeCheck(int sig) { return sig > 0 && sig < NSIG; }
int cSunMiscSignal_checkPendingSignal(void) {
  for (int i = 1; i < NSIG; i++) { int n = pending[i]; while (n > 0) { if (atomic_compare_exchange_weak(&pending[i], &n, n - 1)) return i; } }
  return -1;
}
static void dispatch(int sig) { if (sig > 0 && sig < NSIG) { atomic_fetch_add(&pending[sig], 1); sem_post(&sem); } }
void *cSunMiscSignal_signalHandlerFunctionPointer(void) { return (void *) dispatch; }

int fprintfSD(FILE *f, const char *fmt, const char *s, int d) { return fprintf(f, fmt, s, d); }
int openSII(const char *path, int flags, int mode) { return open(path, flags, mode); }
void *mremapP(void *old, size_t oldSize, size_t newSize, int flags, void *newAddress) { return mremap(old, oldSize, newSize, flags, newAddress); }
