/* The epoll of parked connections (Sources/CubeNet/ParkedSockets.swift): Swift's Glibc module
   does not import sys/epoll.h or sys/eventfd.h. */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include "CCubeSystem.h"

int CCubeSystem_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int CCubeSystem_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int CCubeSystem_epoll_watch_once(int epoll, int fd) {
    struct epoll_event event = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.fd = fd};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int CCubeSystem_epoll_watch(int epoll, int fd) {
    struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

int CCubeSystem_epoll_forget(int epoll, int fd) {
    struct epoll_event event = {0};
    return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event);
}

int CCubeSystem_epoll_wait_fds(int epoll, int *fds, int capacity, int timeout) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int ready = epoll_wait(epoll, events, capacity, timeout);
    for (int i = 0; i < ready; i++) fds[i] = events[i].data.fd;
    return ready;
}
