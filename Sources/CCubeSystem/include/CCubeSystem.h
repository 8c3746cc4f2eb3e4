#ifndef CCUBESYSTEM_H
#define CCUBESYSTEM_H
#include <spawn.h>

/* GNU extensions Swift's Glibc module does not import without _GNU_SOURCE. */
int CCubeSystem_pipe_cloexec(int fds[2]);
/* accept4(fd, NULL, NULL, SOCK_CLOEXEC): a connection accepted close-on-exec. */
int CCubeSystem_accept_cloexec(int fd);
int CCubeSystem_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
/* Close every descriptor from `lowest` up in the child (glibc >= 2.34). */
int CCubeSystem_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);
/* Sets process `pid`'s soft open-file limit (its hard one unchanged); 0 or -1 (errno). */
int CCubeSystem_set_open_file_soft_limit(pid_t pid, unsigned long long soft);
/* A child of its own: a new session, no blocked signals, and SIGTERM, SIGINT, SIGPIPE,
   SIGHUP and SIGCHLD at their defaults whatever the cube does with them. */
int CCubeSystem_spawnattr_own_session(posix_spawnattr_t *attributes);
/* malloc_trim(3): give free heap pages back to the system (malloc.h is not imported). */
int CCubeSystem_malloc_trim(void);
/* setpriority(PRIO_PROCESS, gettid(), nice): the calling thread's own nice value (Linux keeps
   one per thread). Lowering priority always works; raising it back needs CAP_SYS_NICE. */
int CCubeSystem_set_thread_nice(int nice);
/* getpriority(PRIO_PROCESS, gettid()): the calling thread's nice value. */
int CCubeSystem_thread_nice(void);
/* The epoll of parked connections (parked.c): epoll_create1(EPOLL_CLOEXEC); an eventfd
   (close-on-exec, non-blocking); watch `fd` once for input, hang-up or error (EPOLLONESHOT),
   or for input until forgotten; forget it; wait (`timeout` ms, -1: no limit) and store the
   ready descriptors in `fds` (at most `capacity`, at most 256). */
int CCubeSystem_epoll_create(void);
int CCubeSystem_eventfd(void);
int CCubeSystem_epoll_watch_once(int epoll, int fd);
int CCubeSystem_epoll_watch(int epoll, int fd);
int CCubeSystem_epoll_forget(int epoll, int fd);
int CCubeSystem_epoll_wait_fds(int epoll, int *fds, int capacity, int timeout);
/* Busy-polling of the event loops (Sources/CubeNet/BusyPoll.swift; docs/performance.md
   "Busy-polling", "An adaptive window"). `note`: the calling loop thread read `bytes` in its
   current turn; `note_far`: it sent to a TCP peer in its current turn (such turns have their
   own window).
   `eventpoll_fds`: the open descriptors that are epoll instances (at most `capacity`; -1 when
   /proc/self/fd cannot be read). `busy_poll`, at the end of a loop's turn: if the turn read
   something (and less than `large` bytes when it sent to a TCP peer), polls `epoll` (which
   watches the loops' selectors) without sleeping until it has an event or the thread's window
   passed (no spin: nothing read, much read and sent far, paused, or a window of zero). Each
   loop thread has three windows: for turns that sent to a TCP peer, for the others that read
   `large` bytes or more, and for the rest; each adapts to how long the input took to come after a turn that used it, from the
   end of that turn to the first read of the next turn that read: within `budget_ns` the
   window grows towards it, later it halves (to zero below 10 µs). Spinning pauses for `pause_ns` when more than
   a quarter of the last 64 spins found the thread preempted (another thread wanted this CPU).
   `counts` (shared by the loops of one group, added to atomically): spins ended by an event,
   spins that ran out, pauses, turns not spun because their window was zero;
   `busy_poll_counts` reads them. */
void CCubeSystem_busy_poll_note(long long bytes);
void CCubeSystem_busy_poll_note_far(void);
int CCubeSystem_eventpoll_fds(int *fds, int capacity);
void CCubeSystem_busy_poll(int epoll, long long budget_ns, long long large, long long pause_ns,
                          unsigned long long counts[4]);
void CCubeSystem_busy_poll_counts(const unsigned long long counts[4], unsigned long long out[4]);
#endif
