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
#endif
