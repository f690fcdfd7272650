/* cli/native/build.sh: own minimal implementation of the C helpers SubstrateVM 25 declares in
 * com.oracle.svm.core.{LibCHelper,amd64.AMD64LibCHelper,posix.linux.LinuxLibCHelper}. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "amd64cpufeatures.h"

extern char **environ;
char **getEnviron(void) { return environ; }

int getThreadId(void) { return (int) syscall(SYS_gettid); }

long getThreadUserTimeSlow(int tid) {
  char path[64]; snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE *f = fopen(path, "r"); if (!f) return -1;
  char buf[2048]; size_t n = fread(buf, 1, sizeof buf - 1, f); fclose(f); buf[n] = 0;
  char *p = strrchr(buf, ')'); if (!p) return -1;
  unsigned long utime = 0; /* field 14, counted after the command name */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu", &utime) != 1) return -1;
  return (long) (utime * (1000000000L / sysconf(_SC_CLK_TCK)));
}

char *SVM_FindJavaTZmd(const char *tzMappings, int length) {
  const char *tz = getenv("TZ");
  if (tz && *tz) { if (*tz == ':') tz++; return strdup(tz); }
  char link[4096]; ssize_t n = readlink("/etc/localtime", link, sizeof link - 1);
  if (n > 0) { link[n] = 0; char *z = strstr(link, "zoneinfo/"); if (z) return strdup(z + 9); }
  FILE *f = fopen("/etc/timezone", "r");
  if (f) { char line[256]; if (fgets(line, sizeof line, f)) { fclose(f); line[strcspn(line, "\r\n ")] = 0; if (*line) return strdup(line); } else fclose(f); }
  return strdup("UTC");
}

static unsigned long long xgetbv0(void) { unsigned int a, d; __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0)); return ((unsigned long long) d << 32) | a; }
#define BIT(r, n) (((r) >> (n)) & 1)

void determineCPUFeatures(CPUFeatures *f) {
  memset(f, 0, sizeof *f);
  unsigned a, b, c, d, maxStd = __get_cpuid_max(0, 0), maxExt = __get_cpuid_max(0x80000000, 0);
  unsigned c1 = 0, d1 = 0, b7 = 0, c7 = 0, d7 = 0, a71 = 0, d71 = 0;
  if (maxStd >= 1) { __cpuid(1, a, b, c1, d1); }
  if (maxStd >= 7) { __cpuid_count(7, 0, a, b7, c7, d7); __cpuid_count(7, 1, a71, b, c, d71); }
  unsigned long long xcr0 = BIT(c1, 27) ? xgetbv0() : 0;
  int osAvx = (xcr0 & 0x6) == 0x6, osAvx512 = osAvx && (xcr0 & 0xE0) == 0xE0;
  f->fTSC = BIT(d1, 4); f->fCX8 = BIT(d1, 8); f->fCMOV = BIT(d1, 15); f->fFLUSH = BIT(d1, 19); f->fMMX = BIT(d1, 23);
  f->fFXSR = BIT(d1, 24); f->fSSE = BIT(d1, 25); f->fSSE2 = BIT(d1, 26); f->fHT = BIT(d1, 28);
  f->fSSE3 = BIT(c1, 0); f->fCLMUL = BIT(c1, 1); f->fSSSE3 = BIT(c1, 9); f->fSSE4_1 = BIT(c1, 19); f->fSSE4_2 = BIT(c1, 20);
  f->fPOPCNT = BIT(c1, 23); f->fAES = BIT(c1, 25); f->fHV = BIT(c1, 31);
  if (osAvx) {
    f->fAVX = BIT(c1, 28); f->fFMA = BIT(c1, 12) && f->fAVX; f->fF16C = BIT(c1, 29) && f->fAVX;
    f->fAVX2 = BIT(b7, 5) && f->fAVX; f->fVZEROUPPER = f->fAVX;
    f->fAVX512_VAES = BIT(c7, 9) && f->fAVX; f->fAVX512_VPCLMULQDQ = BIT(c7, 10) && f->fAVX; f->fAVX_IFMA = BIT(a71, 23) && f->fAVX;
  }
  if (osAvx512) {
    f->fAVX512F = BIT(b7, 16); f->fAVX512DQ = BIT(b7, 17) && f->fAVX512F; f->fAVX512_IFMA = BIT(b7, 21) && f->fAVX512F;
    f->fAVX512PF = BIT(b7, 26) && f->fAVX512F; f->fAVX512ER = BIT(b7, 27) && f->fAVX512F; f->fAVX512CD = BIT(b7, 28) && f->fAVX512F;
    f->fAVX512BW = BIT(b7, 30) && f->fAVX512F; f->fAVX512VL = BIT(b7, 31) && f->fAVX512F;
    f->fAVX512_VBMI = BIT(c7, 1) && f->fAVX512F; f->fAVX512_VBMI2 = BIT(c7, 6) && f->fAVX512F; f->fAVX512_VNNI = BIT(c7, 11) && f->fAVX512F;
    f->fAVX512_BITALG = BIT(c7, 12) && f->fAVX512F; f->fAVX512_VPOPCNTDQ = BIT(c7, 14) && f->fAVX512F; f->fAVX512_FP16 = BIT(d7, 23) && f->fAVX512F;
  } else { f->fAVX512_VAES = 0; f->fAVX512_VPCLMULQDQ = 0; }
  f->fBMI1 = BIT(b7, 3); f->fBMI2 = BIT(b7, 8); f->fERMS = BIT(b7, 9); f->fRTM = BIT(b7, 11); f->fADX = BIT(b7, 19);
  f->fFLUSHOPT = BIT(b7, 23); f->fCLWB = BIT(b7, 24); f->fSHA = BIT(b7, 29);
  f->fPKU = BIT(c7, 3); f->fOSPKE = BIT(c7, 4); f->fCET_SS = BIT(c7, 7); f->fGFNI = BIT(c7, 8); f->fRDPID = BIT(c7, 22);
  f->fFSRM = BIT(d7, 4); f->fSERIALIZE = BIT(d7, 14); f->fCET_IBT = BIT(d7, 20); f->fSHA512 = BIT(a71, 0) && f->fAVX2;
  if (maxExt >= 0x80000001) { unsigned ce, de; __cpuid(0x80000001, a, b, ce, de);
    f->fLZCNT = BIT(ce, 5); f->fSSE4A = BIT(ce, 6); f->fAMD_3DNOW_PREFETCH = BIT(ce, 8); f->fRDTSCP = BIT(de, 27); }
  if (maxExt >= 0x80000007) { unsigned de; __cpuid(0x80000007, a, b, c, de); f->fTSCINV_BIT = BIT(de, 8); f->fTSCINV = f->fTSCINV_BIT; }
}

/* The mask has the layout of CPUFeatures, one byte per feature: 0xFF where the image does not need the feature,
 * 0xFE where it does; a feature's byte here is 1 or 0. All present when every (feature | mask) byte is 0xFF. */
int checkCPUFeatures(const char *mask) {
  CPUFeatures have; determineCPUFeatures(&have);
  const unsigned char *h = (const unsigned char *) &have, *m = (const unsigned char *) mask;
  for (size_t i = 0; i < sizeof have; i++) if ((unsigned char) (h[i] | m[i]) != 0xFF) return -1;
  return 0;
}

int checkCPUFeaturesOrExit(const char *mask, const char *errorMessage) {
  if (checkCPUFeatures(mask) != 0) { fputs(errorMessage, stderr); fputc('\n', stderr); exit(1); }
  return 0;
}
