/*
 * slow-fdatasync.so: an LD_PRELOAD shim for tests. fdatasync() waits $BL_SLOW_SYNC_MS
 * milliseconds before the real one, then appends "synced TIME" (CLOCK_MONOTONIC
 * microseconds, as bl-cib-watch prints) to $BL_SLOW_SYNC_LOG. A daemon that tells its
 * subscribers about a change before it is durable then shows it: the notification's time
 * comes before the sync's.
 *
 * Built by the test that uses it: cc -shared -fPIC -o slow-fdatasync.so slow-fdatasync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int fdatasync(int fd);

int
fdatasync(int fd)
{
    static int (*real)(int);
    const char *delay = getenv("BL_SLOW_SYNC_MS");
    const char *log = getenv("BL_SLOW_SYNC_LOG");
    struct timespec now;
    int rc;

    if (real == NULL) {
        real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
    }
    if (delay != NULL) {
        usleep((useconds_t) atoi(delay) * 1000);
    }
    rc = real(fd);
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (log != NULL) {
        FILE *out = fopen(log, "a");

        if (out != NULL) {
            fprintf(out, "synced %lld\n", (long long) now.tv_sec * 1000000 + now.tv_nsec / 1000);
            fclose(out);
        }
    }
    return rc;
}
