/* Busy-polling of the event loops: see CCubeSystem.h and Sources/CubeNet/BusyPoll.swift.
   In C because the spin is a tight loop of epoll_wait and clock_gettime, and the per-thread
   state is a few thread-locals (each event loop is one thread for its whole life). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "CCubeSystem.h"

/* The loop thread's own state. */
static __thread long long turn_bytes;
static __thread long involuntary;       /* ru_nivcsw at the last spin */
static __thread int window_spins, window_preempted;
static __thread long long paused_until; /* CLOCK_MONOTONIC ns */

enum { WINDOW = 64 };

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void CCubeSystem_busy_poll_note(long long bytes) { turn_bytes += bytes; }

int CCubeSystem_eventpoll_fds(int *fds, int capacity) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    int n = 0, own = dirfd(dir);
    struct dirent *entry;
    char path[64], target[64];
    while ((entry = readdir(dir)) && n < capacity) {
        if (entry->d_name[0] == '.') continue;
        int fd = atoi(entry->d_name);
        if (fd == own) continue;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len <= 0) continue;
        target[len] = 0;
        if (strcmp(target, "anon_inode:[eventpoll]") == 0) fds[n++] = fd;
    }
    closedir(dir);
    return n;
}

int CCubeSystem_busy_poll(int epoll, long long budget_ns, long long large, long long pause_ns,
                          unsigned long long counts[3]) {
    long long bytes = turn_bytes;
    turn_bytes = 0;
    if (bytes == 0 || bytes >= large) return -1;
    long long start = now_ns();
    if (start < paused_until) return -1;
    /* Preempted since the last spin: another runnable thread wanted this CPU. */
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) == 0) {
        if (usage.ru_nivcsw != involuntary && involuntary != 0) window_preempted++;
        involuntary = usage.ru_nivcsw;
    }
    if (++window_spins == WINDOW) {
        if (window_preempted * 4 > WINDOW) {
            paused_until = start + pause_ns;
            __atomic_fetch_add(&counts[2], 1, __ATOMIC_RELAXED);
        }
        window_spins = window_preempted = 0;
        if (start < paused_until) return -1;
    }
    struct epoll_event events[4];
    for (;;) {
        if (epoll_wait(epoll, events, 4, 0) != 0) {
            __atomic_fetch_add(&counts[0], 1, __ATOMIC_RELAXED);
            return 1;
        }
        if (now_ns() - start >= budget_ns) {
            __atomic_fetch_add(&counts[1], 1, __ATOMIC_RELAXED);
            return 0;
        }
    }
}

void CCubeSystem_busy_poll_counts(const unsigned long long counts[3], unsigned long long out[3]) {
    for (int i = 0; i < 3; i++) out[i] = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
}
