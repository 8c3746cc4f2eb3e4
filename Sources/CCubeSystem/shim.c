#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>
#include "CCubeSystem.h"

int CCubeSystem_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int CCubeSystem_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int CCubeSystem_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

short CCubeSystem_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

#include <malloc.h>

int CCubeSystem_malloc_trim(void) {
    return malloc_trim(0);
}
