// libedit's readline interface, for p7's interactive terminal (Sources/p7/LineEditor.swift).
// <editline/readline.h> uses FILE without including <stdio.h> itself.
#include <stdio.h>
#include <editline/readline.h>

// Setters and getters for libedit's global variables: Swift 6 refuses to touch imported
// mutable globals directly (they are shared state to it); p7 uses them on one thread only.
static inline void p7_rl_configure(const char *name, rl_completion_func_t *complete, int (*getc)(FILE *)) {
    rl_catch_signals = 0;
    rl_getc_function = getc;
    rl_readline_name = name;
    rl_attempted_completion_function = complete;
}

static inline void p7_rl_completion_done(int append_character) {
    rl_attempted_completion_over = 1;
    rl_completion_append_character = append_character;
}

static inline const char *p7_rl_line_buffer(void) { return rl_line_buffer; }
