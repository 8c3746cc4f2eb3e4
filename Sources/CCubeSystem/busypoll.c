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
static __thread long long turn_first_read; /* CLOCK_MONOTONIC ns of the turn's first read */
static __thread int turn_sent_far;     /* 1: the turn sent to a TCP peer (a link, a TCP client) */
static __thread long involuntary = -1;  /* ru_nivcsw at the last spin; -1: none to compare with */
static __thread int window_spins, window_preempted;
static __thread long long paused_until; /* CLOCK_MONOTONIC ns */
/* The adaptive spin lengths (ns; -1 until the first turn sets them to the budget): one for
   turns that read a little and sent only to this machine's peers, one for turns that sent to a
   TCP peer, whose answers come back on another time scale, and one for turns that read
   `large` bytes or more and sent only to this machine's peers (a pipelined batch, a bulk
   write of the mount: answered on their own time scale too, and sparse bulk input answered
   late must not stop the spinning after a conversation's small turns). `learning` says which
   window the last turn that spun (or would have, but for a window of zero) used, plus one (0:
   none), and `idle_since` when that turn ended: the next turn that reads says how long its
   input took to come. */
static __thread long long windows[3] = {-1, -1, -1};
static __thread int learning;
static __thread long long idle_since;

enum { WINDOW = 64 };
/* Where a window grows from after it fell to zero (KVM's halt_poll_ns_grow_start); a window
   halved below it falls to zero. */
static const long long GROW_START = 10000;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void CCubeSystem_busy_poll_note(long long bytes) {
    /* One clock read per turn that reads; none while busy-polling is off (the count is then
       never reset). */
    if (turn_bytes == 0 && bytes > 0) turn_first_read = now_ns();
    turn_bytes += bytes;
}

void CCubeSystem_busy_poll_note_far(void) { turn_sent_far = 1; }

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

/* Like the kernel's halt polling (KVM halt_poll_ns, the cpuidle haltpoll governor): input
   that came within the budget after the end of a turn grows that turn's window (doubling from
   GROW_START; at the budget already when the spin caught it), input that came later halves it
   (the haltpoll governor's default; under GROW_START it is zero: no spin, the turn's wait still
   teaches). `waited_ns` runs from the end of the turn to the first read of the next turn that
   read anything: it includes the wake-up when the loop slept, not the next turn's own work.
   A conversation that answers within the budget keeps spinning at full length; a loop whose
   small writes are answered only after longer (a cube in the middle of a chain of nodes, whose
   replies cross further hops) stops spinning instead of spending the budget each turn. A spin
   ended by another loop's event (one epoll watches every loop's selector) teaches the same
   way: the wait is measured to this loop's own next read. */
static void learn(long long waited_ns, long long budget_ns) {
    long long *window = &windows[learning - 1];
    learning = 0;
    if (waited_ns > budget_ns) {
        *window = *window / 2 < GROW_START ? 0 : *window / 2;
    } else if (*window < GROW_START) {
        *window = GROW_START < budget_ns ? GROW_START : budget_ns;
    } else {
        *window = *window * 2 < budget_ns ? *window * 2 : budget_ns;
    }
}

void CCubeSystem_busy_poll(int epoll, long long budget_ns, long long large, long long pause_ns,
                          unsigned long long counts[4]) {
    if (windows[0] < 0) windows[0] = windows[1] = windows[2] = budget_ns;
    long long bytes = turn_bytes;
    int far = turn_sent_far;
    turn_bytes = 0;
    turn_sent_far = 0;
    /* A turn that read nothing (a timer, a task) leaves the wait of the last one open. */
    if (bytes == 0) return;
    if (learning) learn(turn_first_read - idle_since, budget_ns);
    /* A pipeline at depth reads a lot per turn and its next input comes within microseconds
       from this machine's peers: spinning there saves the loop's sleep and the peer's wake-up
       of it (docs/performance.md, sixteenth session). A large batch sent to a TCP peer comes
       back a network round trip and the far node's turns later: no spin. */
    if (bytes >= large && far) return;
    int kind = far ? 1 : bytes >= large ? 2 : 0;
    long long start = now_ns();
    if (start < paused_until) return;
    long long window = windows[kind];
    if (window == 0) {
        learning = kind + 1;
        idle_since = start;
        __atomic_fetch_add(&counts[3], 1, __ATOMIC_RELAXED);
        return;
    }
    /* Preempted since the last spin (turns skipped meanwhile included: a preemption then is
       as much a sign that another thread wants this CPU): count it. */
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) == 0) {
        if (involuntary >= 0 && usage.ru_nivcsw != involuntary) window_preempted++;
        involuntary = usage.ru_nivcsw;
    }
    if (++window_spins == WINDOW) {
        if (window_preempted * 4 > WINDOW) {
            paused_until = start + pause_ns;
            __atomic_fetch_add(&counts[2], 1, __ATOMIC_RELAXED);
        }
        window_spins = window_preempted = 0;
        if (start < paused_until) return;
    }
    learning = kind + 1;
    idle_since = start;
    struct epoll_event events[4];
    for (;;) {
        if (epoll_wait(epoll, events, 4, 0) != 0) {
            __atomic_fetch_add(&counts[0], 1, __ATOMIC_RELAXED);
            return;
        }
        if (now_ns() - start >= window) {
            __atomic_fetch_add(&counts[1], 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

void CCubeSystem_busy_poll_counts(const unsigned long long counts[4], unsigned long long out[4]) {
    for (int i = 0; i < 4; i++) out[i] = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
}
