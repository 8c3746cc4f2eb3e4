#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <unistd.h>
#include "CCubeSystem.h"

int CCubeSystem_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int CCubeSystem_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int CCubeSystem_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int CCubeSystem_set_open_file_soft_limit(pid_t pid, unsigned long long soft) {
    struct rlimit limits;
    if (prlimit(pid, RLIMIT_NOFILE, NULL, &limits) != 0) return -1;
    limits.rlim_cur = (rlim_t)soft;
    return prlimit(pid, RLIMIT_NOFILE, &limits, NULL);
}

int CCubeSystem_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int CCubeSystem_spawnattr_own_session(posix_spawnattr_t *attributes) {
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    int signals[] = {SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaddset(&defaults, signals[i]);
    int failed = posix_spawnattr_setsigmask(attributes, &none);
    failed |= posix_spawnattr_setsigdefault(attributes, &defaults);
    failed |= posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
    return failed;
}

#include <malloc.h>

int CCubeSystem_malloc_trim(void) {
    return malloc_trim(0);
}

int CCubeSystem_set_thread_nice(int nice) { return setpriority(PRIO_PROCESS, (id_t)gettid(), nice); }
int CCubeSystem_thread_nice(void) { return getpriority(PRIO_PROCESS, (id_t)gettid()); }
