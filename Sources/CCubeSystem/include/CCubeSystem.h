#ifndef CCUBESYSTEM_H
#define CCUBESYSTEM_H
#include <spawn.h>

/* GNU extensions Swift's Glibc module does not import without _GNU_SOURCE. */
int CCubeSystem_pipe_cloexec(int fds[2]);
int CCubeSystem_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
/* Close every descriptor from `lowest` up in the child (glibc >= 2.34). */
int CCubeSystem_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int lowest);
/* POSIX_SPAWN_SETSID: start the child in a new session (and process group). */
short CCubeSystem_spawn_setsid_flag(void);
/* malloc_trim(3): give free heap pages back to the system (malloc.h is not imported). */
int CCubeSystem_malloc_trim(void);
#endif
