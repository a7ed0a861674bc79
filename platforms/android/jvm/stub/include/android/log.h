/* Stand-in for the NDK's <android/log.h>, so that gobind's JNI glue
 * (seq_android.c etc.) builds for a desktop JVM (make test-jvm): the
 * priorities it names and __android_log_print writing to stderr. An empty
 * liblog.a satisfies the glue's -llog. Never used for a real Android build. */
#ifndef TETHER_STUB_ANDROID_LOG_H
#define TETHER_STUB_ANDROID_LOG_H
#include <stdarg.h>
#include <stdio.h>
typedef enum android_LogPriority {
    ANDROID_LOG_UNKNOWN = 0, ANDROID_LOG_DEFAULT, ANDROID_LOG_VERBOSE, ANDROID_LOG_DEBUG,
    ANDROID_LOG_INFO, ANDROID_LOG_WARN, ANDROID_LOG_ERROR, ANDROID_LOG_FATAL, ANDROID_LOG_SILENT
} android_LogPriority;
static inline int __android_log_print(int prio, const char *tag, const char *fmt, ...) {
    (void)prio;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", tag);
    int n = vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return n;
}
#endif
