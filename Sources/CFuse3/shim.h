#ifndef CFUSE3_SHIM_H
#define CFUSE3_SHIM_H
/* FUSE_USE_VERSION must be set before the header; system-library targets take no C settings. */
#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

/* FUSE_ARGS_INIT is a function-like macro: not importable into Swift. */
static inline struct fuse_args CFuse3_args_init(int argc, char **argv) {
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    return args;
}

/* fuse_session_loop_mt is a macro unless libfuse was built with versioned symbols. */
static inline int CFuse3_session_loop_mt(struct fuse_session *se, struct fuse_loop_config *config) {
    return fuse_session_loop_mt(se, config);
}

/* fuse_file_info flags are bitfields; set them in C so the layout is never guessed in Swift. */
static inline void CFuse3_file_info_set_open_flags(struct fuse_file_info *fi, uint64_t fh, int direct_io,
                                                   int nonseekable, int keep_cache) {
    fi->fh = fh;
    fi->direct_io = direct_io ? 1 : 0;
    fi->nonseekable = nonseekable ? 1 : 0;
    fi->keep_cache = keep_cache ? 1 : 0;
}

/* Directory listings are never cached by the kernel: cache_readdir stays 0. */
static inline void CFuse3_file_info_set_dir_handle(struct fuse_file_info *fi, uint64_t fh) {
    fi->fh = fh;
    fi->cache_readdir = 0;
    fi->keep_cache = 0;
}
#endif
