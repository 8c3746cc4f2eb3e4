/*
 * p7load — the load generators of `make bench` (docs/performance.md).
 *
 * One small C program, so that the client side is never the bottleneck: every mode uses
 * blocking or epoll I/O on plain file descriptors, parses replies in place without copying,
 * and writes all requests that became due after one read in a single write().
 *
 *   p7load cube-responder SOCKET NAME            log in as zenka NAME (key registered through an
 *                                                admin session), answer `(<tid>)<cmd> <x>` with
 *                                                `(<tid>)TRUE <x>`; prints "ready"
 *   p7load cube-request SOCKET DEPTH WARMUP SECS [COUNT [PATH]]
 *                                                routed request-reply through a cube:
 *                                                `(<id>)bench.echo x` -> `(<id>)TRUE x`
 *                                                (COUNT 0 = run for SECS; PATH instead of
 *                                                bench.echo, e.g. n3.bench.echo via the network)
 *   p7load raw-request DEPTH WARMUP SECS         the same bytes over one socketpair to a forked
 *                                                responder process (the floor, no router)
 *   p7load raw-chain RELAYS SPIN_US DEPTH WARMUP SECS
 *                                                the same bytes through RELAYS forked processes
 *                                                in a row, each joined to the next by a loopback
 *                                                TCP connection, to a forked responder: the floor
 *                                                of a path through RELAYS servers that did no work
 *                                                but pass bytes on. A relay waits in poll(); with
 *                                                SPIN_US > 0 it first polls without waiting for
 *                                                that long after its last message, as the cube's
 *                                                loop spins (docs/performance.md). Also prints
 *                                                cpu_chain_self, the relays' and responder's CPU
 *   p7load nats-responder PORT                   SUB bench.echo; answer each MSG with PUB to its
 *                                                reply subject; prints "ready"
 *   p7load nats-request PORT DEPTH WARMUP SECS   PUB bench.echo _INBOX.r.<id>, SUB _INBOX.r.*
 *   p7load cube-worker SOCKET NAME USECS         a cube-responder that works like a single-threaded
 *                                                service: each request takes USECS (a sleep), then
 *                                                its answer is written (docs/pooling.md benchmark)
 *   p7load nats-worker PORT USECS                the same worker as a member of the NATS queue group
 *                                                `workers` on bench.echo
 *   p7load zenka-worker USECS                    the cube-worker as a zenka the manager starts (mode
 *                                                sdk): logs in to PROTOCOL_7_UNIX_PATH as
 *                                                PROTOCOL_7_ZENKA_NAME with the one-time key in
 *                                                PROTOCOL_7_ZENKA_KEY (docs/pooling.md burst benchmark)
 *   p7load cube-step SOCKET PATH PHASES DRAIN    open-loop load: `(<id>)PATH x` at a fixed rate per
 *                                                phase, PHASES = SECS:RATE[,SECS:RATE...] (a load
 *                                                step: 5:100,10:1000), whatever the answers do; then
 *                                                waits up to DRAIN s for the open requests. Prints a
 *                                                summary line, then one line per request:
 *                                                `<sent ms> <latency ms> <1 TRUE|0 FALSE|-1 none>`
 *   p7load idle SOCKET N [USER]                  log in N sessions (unix login as USER, default
 *                                                unix-root), print "ready", hold them until
 *                                                standard input closes, then exit (so the kernel
 *                                                closes them all at once)
 *   p7load churn SOCKET PORT COUNT USER HELLO RATE [SECS]
 *                                                COUNT connect/close cycles, in turn: a unix login
 *                                                as USER, a unix connection that reads only the
 *                                                banner, and a TCP connection to 127.0.0.1:PORT
 *                                                that sends `select c25519` and the line HELLO and
 *                                                leaves after the node's answer (each from its
 *                                                own 127.x.y.z address, so that no address hits
 *                                                limits.login-failures); PORT 0 = unix only.
 *                                                RATE cycles per second at most (0 = no pause);
 *                                                SECS ends it early. Prints cycles done, refused
 *                                                (no banner) and secs.
 *   p7load active SOCKET N SECS                  log in N sessions, each keeps one routed request
 *                                                in flight for SECS; prints "active" when it starts
 *   p7load ping SOCKET SECS                      log in as unix-root, send the local `heart` one at a
 *                                                time with 1 ms between, for SECS; prints "ready"
 *                                                once logged in, then one line per heart at the end:
 *                                                `<start, CLOCK_MONOTONIC s> <latency us>` (make
 *                                                soak's --measure-close: the unrelated client)
 *   p7load fs MOUNT COUNT                        write `(<id>)bench.echo x` to MOUNT/zenki/bench/cmd,
 *                                                read MOUNT/zenki/bench/out until `(<id>)TRUE x`
 *
 * Request modes print one line of key=value pairs: ops, secs, rate (per second), p50_us,
 * p99_us (round-trip latency), cpu (user+system seconds this process used while measuring),
 * cpu_all (the same over the whole run) and ops_all (replies over the whole run, warm-up
 * included).
 * DEPTH is the number of requests in flight (1 = sequential). A run lasts WARMUP+SECS seconds;
 * only the last SECS count. With COUNT > 0 it stops after COUNT measured requests instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF (1 << 20)
#define RING 4096 /* > any DEPTH: send times indexed by id % RING */

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "p7load: ");
    vfprintf(stderr, fmt, ap);
    if (errno) fprintf(stderr, " (%s)", strerror(errno));
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            die("write");
        }
        p += w;
        n -= (size_t)w;
    }
}

static void read_exact(int fd, char *p, size_t n) {
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r == 0) { errno = 0; die("connection closed during login"); }
        if (r < 0) {
            if (errno == EINTR) continue;
            die("read");
        }
        p += r;
        n -= (size_t)r;
    }
}

static int connect_unix(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    while (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) { usleep(1000); continue; } /* listen backlog full */
        die("connect %s", path);
    }
    return fd;
}

static int connect_tcp(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect 127.0.0.1:%d", port);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* A connected pair of loopback TCP sockets (TCP_NODELAY on both), like a link or a route. */
static void tcp_pair(int sv[2]) {
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0) die("socket");
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0) die("listen");
    if (getsockname(l, (struct sockaddr *)&a, &len) < 0) die("getsockname");
    sv[0] = connect_tcp(ntohs(a.sin_port));
    sv[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (sv[1] < 0) die("accept");
    int one = 1;
    setsockopt(sv[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    close(l);
}

/* Passes bytes both ways between a and b until either side closes (a raw-chain relay). */
static void relay(int a, int b, long spin_us) {
    char *buf = malloc(BUF);
    if (!buf) die("out of memory");
    struct pollfd p[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
    double last = now();
    for (;;) {
        int wait = spin_us > 0 && now() - last < spin_us * 1e-6 ? 0 : -1;
        int n = poll(p, 2, wait);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (int i = 0; i < 2 && n > 0; i++) {
            if (!p[i].revents) continue;
            ssize_t r = read(p[i].fd, buf, BUF);
            if (r <= 0) return;
            write_all(p[1 - i].fd, buf, (size_t)r);
            last = now();
        }
    }
}

static void p7_respond(int fd, long usecs);

/*
 * The raw chain: connection k joins process k to process k + 1; process 0 is this requester,
 * 1 ... relays the relays, relays + 1 the responder. Returns the requester's end.
 */
static int start_chain(int relays, long spin_us, pid_t *children) {
    int pairs[17][2];
    for (int k = 0; k <= relays; k++) tcp_pair(pairs[k]);
    for (int j = 1; j <= relays + 1; j++) {
        pid_t child = fork();
        if (child < 0) die("fork");
        if (child == 0) {
            int left = pairs[j - 1][1], right = j <= relays ? pairs[j][0] : -1;
            for (int k = 0; k <= relays; k++)
                for (int e = 0; e < 2; e++)
                    if (pairs[k][e] != left && pairs[k][e] != right) close(pairs[k][e]);
            if (right < 0) p7_respond(left, 0);
            else relay(left, right, spin_us);
            _exit(0);
        }
        children[j - 1] = child;
    }
    for (int k = 0; k <= relays; k++) {
        if (k > 0) close(pairs[k][0]);
        close(pairs[k][1]);
    }
    return pairs[0][0];
}

/* ---- Protocol-7 login ------------------------------------------------------------------ */

static const char AUTH_OK[] = "TRUE continue\nAUTH_TRUE =)\n";

static void check_banner(const char *b) {
    if (memcmp(b, "\\\\PROTOCOL-7-VERSION\\\\", 22) != 0 || b[31] != '\n') {
        errno = 0;
        die("bad banner %.32s", b);
    }
}

/* Sends the login lines; with wait, reads banner and answer and checks them. */
static void p7_login_send(int fd, const char *lines) { write_all(fd, lines, strlen(lines)); }

static void p7_login_finish(int fd) {
    char b[32 + sizeof AUTH_OK - 1];
    read_exact(fd, b, sizeof b);
    check_banner(b);
    if (memcmp(b + 32, AUTH_OK, sizeof AUTH_OK - 1) != 0) {
        errno = 0;
        die("login refused: %.*s", (int)(sizeof AUTH_OK - 1), b + 32);
    }
}

static int p7_connect_root(const char *path) {
    int fd = connect_unix(path);
    p7_login_send(fd, "select unix\nauth unix-root\n");
    p7_login_finish(fd);
    return fd;
}

/* Reads one LF-terminated line (slow path; only for set-up). */
static void read_line(int fd, char *line, size_t cap) {
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, line + n, 1);
        if (r <= 0) { errno = 0; die("connection closed"); }
        if (line[n++] == '\n') break;
    }
    line[n] = 0;
}

/* ---- latency statistics ---------------------------------------------------------------- */

typedef struct {
    double *v;
    size_t n, cap;
} samples;

static void sample_add(samples *s, double x) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1 << 16;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) die("out of memory");
    }
    s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(samples *s, double p) {
    if (s->n == 0) return 0;
    size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
    return s->v[i];
}

/* ---- request-reply engine -------------------------------------------------------------- */

enum wire { P7, NATS };

typedef struct {
    enum wire wire;
    int fd;
    char *in, *out;
    size_t have;
} conn;

/* The path cube requests go to: bench.echo, or NODE.bench.echo across the network. */
static const char *request_path = "bench.echo";

/* Appends one request with this id to out; returns its length. */
static size_t format_request(enum wire w, char *out, uint64_t id) {
    if (w == P7) return (size_t)sprintf(out, "(%llu)%s x\n", (unsigned long long)id, request_path);
    return (size_t)sprintf(out, "PUB bench.echo _INBOX.r.%llu 1\r\nx\r\n", (unsigned long long)id);
}

static uint64_t parse_u64(const char *p, const char *end, const char **stop) {
    uint64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (uint64_t)(*p++ - '0');
    *stop = p;
    return v;
}

/*
 * Parses complete replies at the start of c->in, calls got(id) for each, keeps the rest.
 * Returns the number of replies. NATS control lines (PING, +OK, INFO) are handled here.
 */
typedef void (*reply_fn)(void *ctx, uint64_t id);

static int parse_replies(conn *c, reply_fn got, void *ctx) {
    char *p = c->in, *end = c->in + c->have;
    int replies = 0;
    for (;;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        if (c->wire == P7) {
            const char *q;
            if (*p != '(') { errno = 0; die("unexpected line: %.*s", (int)(nl - p), p); }
            uint64_t id = parse_u64(p + 1, nl, &q);
            if (q >= nl || *q != ')' || memcmp(q + 1, "TRUE", 4) != 0) {
                errno = 0;
                die("unexpected reply: %.*s", (int)(nl - p), p);
            }
            got(ctx, id);
            replies++;
            p = nl + 1;
        } else {
            if (nl - p >= 4 && memcmp(p, "MSG ", 4) == 0) {
                /* MSG <subject> <sid> [reply-to] <#bytes>\r\n<payload>\r\n */
                char *len_start = nl - 1;
                while (len_start > p && len_start[-1] != ' ') len_start--;
                const char *q;
                size_t len = (size_t)parse_u64(len_start, nl, &q);
                if (nl + 1 + len + 2 > end) break; /* payload not complete */
                char *subject = p + 4;
                if (memcmp(subject, "_INBOX.r.", 9) != 0) { errno = 0; die("unexpected MSG"); }
                uint64_t id = parse_u64(subject + 9, nl, &q);
                got(ctx, id);
                replies++;
                p = nl + 1 + len + 2;
            } else if (nl - p >= 4 && memcmp(p, "PING", 4) == 0) {
                write_all(c->fd, "PONG\r\n", 6);
                p = nl + 1;
            } else if (*p == '-') {
                errno = 0;
                die("nats-server: %.*s", (int)(nl - p), p);
            } else {
                p = nl + 1; /* +OK, INFO, PONG */
            }
        }
    }
    c->have = (size_t)(end - p);
    memmove(c->in, p, c->have);
    return replies;
}

typedef struct {
    double sent[RING];
    double measure_from;
    samples lat;
    uint64_t measured;
    double t;
} run_state;

static void on_reply(void *ctx, uint64_t id) {
    run_state *s = ctx;
    if (s->t >= s->measure_from) {
        sample_add(&s->lat, s->t - s->sent[id % RING]);
        s->measured++;
    }
}

/* Runs the requester on c: DEPTH in flight, WARMUP then SECS (or COUNT requests). */
static void run_requests(conn *c, int depth, double warmup, double secs, uint64_t count) {
    run_state *s = calloc(1, sizeof *s);
    if (depth < 1 || depth >= RING) { errno = 0; die("bad depth"); }
    double start = now();
    s->measure_from = start + warmup;
    double stop = s->measure_from + secs;
    double cpu0 = 0, t0 = 0;
    int measuring = 0;
    uint64_t next = 1;
    int inflight = 0;
    size_t olen = 0;
    s->t = start;
    for (int i = 0; i < depth; i++) {
        s->sent[next % RING] = s->t;
        olen += format_request(c->wire, c->out + olen, next++);
        inflight++;
    }
    write_all(c->fd, c->out, olen);
    for (;;) {
        ssize_t r = read(c->fd, c->in + c->have, BUF - c->have);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            if (r == 0) errno = 0;
            die("read from server");
        }
        c->have += (size_t)r;
        s->t = now();
        if (!measuring && s->t >= s->measure_from) {
            measuring = 1;
            cpu0 = cpu_seconds();
            t0 = s->t;
        }
        inflight -= parse_replies(c, on_reply, s);
        int done = count ? s->measured >= count : s->t >= stop;
        if (done) break;
        olen = 0;
        while (inflight < depth) {
            s->sent[next % RING] = s->t;
            olen += format_request(c->wire, c->out + olen, next++);
            inflight++;
        }
        if (olen) write_all(c->fd, c->out, olen);
    }
    double elapsed = s->t - t0, cpu = cpu_seconds() - cpu0;
    qsort(s->lat.v, s->lat.n, sizeof(double), cmp_double);
    /* ops_all: every reply received, warm-up included, for the server's CPU time per request
     * (the driver reads the server's CPU over this process's whole run). */
    printf("ops=%llu secs=%.3f rate=%.0f p50_us=%.1f p99_us=%.1f cpu=%.3f cpu_all=%.3f ops_all=%llu\n",
           (unsigned long long)s->measured, elapsed, s->measured / elapsed, percentile(&s->lat, 0.5) * 1e6,
           percentile(&s->lat, 0.99) * 1e6, cpu, cpu_seconds(), (unsigned long long)(next - 1 - (uint64_t)inflight));
    fflush(stdout);
}

static conn *new_conn(enum wire w, int fd) {
    conn *c = calloc(1, sizeof *c);
    c->wire = w;
    c->fd = fd;
    c->in = malloc(BUF);
    c->out = malloc(BUF);
    if (!c->in || !c->out) die("out of memory");
    return c;
}

/* ---- responders ------------------------------------------------------------------------ */

/* Writes what o holds since out, after `usecs` of simulated work per answer (0 = none). */
static char *paced(int fd, char *out, char *o, long usecs) {
    if (usecs <= 0) return o;
    usleep((useconds_t)usecs);
    write_all(fd, out, (size_t)(o - out));
    return out;
}

/* Answers `(<tid>)<word>[ <args>]` with `(<tid>)TRUE <args>` until the peer closes; with
   `usecs` > 0 one at a time, each after that much simulated work. */
static void p7_respond(int fd, long usecs) {
    char *in = malloc(BUF), *out = malloc(2 * BUF);
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, in + have, BUF - have);
        if (r == 0) return;
        if (r < 0) {
            if (errno == EINTR) continue;
            return;
        }
        have += (size_t)r;
        char *p = in, *end = in + have, *o = out;
        for (;;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) break;
            char *close = p[0] == '(' ? memchr(p, ')', (size_t)(nl - p)) : NULL;
            if (close) {
                char *space = memchr(close, ' ', (size_t)(nl - close));
                size_t idlen = (size_t)(close + 1 - p);
                memcpy(o, p, idlen);
                o += idlen;
                memcpy(o, "TRUE ", 5);
                o += 5;
                if (space) {
                    memcpy(o, space + 1, (size_t)(nl - space - 1));
                    o += nl - space - 1;
                }
                *o++ = '\n';
                o = paced(fd, out, o, usecs);
            }
            p = nl + 1;
        }
        if (o > out) write_all(fd, out, (size_t)(o - out));
        have = (size_t)(end - p);
        memmove(in, p, have);
    }
}

static void cube_responder(const char *path, const char *name, long usecs) {
    char key[48], line[256];
    srand((unsigned)(getpid() ^ (unsigned)time(NULL)));
    for (int i = 0; i < 40; i++) key[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[rand() % 62];
    key[40] = 0;
    int admin = p7_connect_root(path);
    snprintf(line, sizeof line, "(1)session-key %s %s\n", name, key);
    write_all(admin, line, strlen(line));
    read_line(admin, line, sizeof line);
    if (strcmp(line, "(1)TRUE key added\n") != 0) { errno = 0; die("session-key: %s", line); }
    int fd = connect_unix(path);
    snprintf(line, sizeof line, "select zenka\n%s %s\n", name, key);
    p7_login_send(fd, line);
    p7_login_finish(fd);
    close(admin);
    printf("ready\n");
    fflush(stdout);
    p7_respond(fd, usecs);
}

static void nats_handshake(int fd, const char *sub) {
    char line[4096];
    read_line(fd, line, sizeof line); /* INFO {...} */
    if (strncmp(line, "INFO ", 5) != 0) { errno = 0; die("nats: no INFO"); }
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":false,\"name\":\"p7load\"}\r\nSUB %s 1\r\nPING\r\n", sub);
    write_all(fd, cmd, strlen(cmd));
    for (;;) {
        read_line(fd, line, sizeof line);
        if (strncmp(line, "PONG", 4) == 0) return;
        if (line[0] == '-') { errno = 0; die("nats: %s", line); }
    }
}

static void nats_responder(int port, long usecs) {
    int fd = connect_tcp(port);
    /* A worker joins the queue group `workers`: NATS gives each message to one member. */
    nats_handshake(fd, usecs > 0 ? "bench.echo workers" : "bench.echo");
    printf("ready\n");
    fflush(stdout);
    char *in = malloc(BUF), *out = malloc(2 * BUF);
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, in + have, BUF - have);
        if (r == 0) return;
        if (r < 0) {
            if (errno == EINTR) continue;
            return;
        }
        have += (size_t)r;
        char *p = in, *end = in + have, *o = out;
        for (;;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl) break;
            if (nl - p >= 4 && memcmp(p, "MSG ", 4) == 0) {
                /* MSG bench.echo <sid> <reply-to> <#bytes>\r\n<payload>\r\n */
                char *tok[6];
                int n = 0;
                for (char *q = p; q < nl && n < 6;) {
                    tok[n++] = q;
                    char *sp = memchr(q, ' ', (size_t)(nl - q));
                    if (!sp) break;
                    q = sp + 1;
                }
                const char *stop;
                size_t len = (size_t)parse_u64(tok[n - 1], nl, &stop);
                if (nl + 1 + len + 2 > end) break;
                if (n == 5) {
                    size_t rlen = (size_t)(tok[4] - tok[3] - 1);
                    o += sprintf(o, "PUB %.*s %zu\r\n", (int)rlen, tok[3], len);
                    memcpy(o, nl + 1, len + 2);
                    o += len + 2;
                    o = paced(fd, out, o, usecs);
                }
                p = nl + 1 + len + 2;
            } else {
                if (nl - p >= 4 && memcmp(p, "PING", 4) == 0) {
                    memcpy(o, "PONG\r\n", 6);
                    o += 6;
                }
                p = nl + 1;
            }
        }
        if (o > out) write_all(fd, out, (size_t)(o - out));
        have = (size_t)(end - p);
        memmove(in, p, have);
    }
}

/* The cube-worker started by the manager: its login comes from the environment the manager sets
   (docs/configuration.md "Zenki": PROTOCOL_7_UNIX_PATH, PROTOCOL_7_ZENKA_NAME, PROTOCOL_7_ZENKA_KEY). */
static void zenka_worker(long usecs) {
    const char *path = getenv("PROTOCOL_7_UNIX_PATH"), *name = getenv("PROTOCOL_7_ZENKA_NAME");
    const char *key = getenv("PROTOCOL_7_ZENKA_KEY");
    if (!path || !name || !key) { errno = 0; die("zenka-worker needs PROTOCOL_7_UNIX_PATH, _ZENKA_NAME and _ZENKA_KEY"); }
    char line[512];
    int fd = connect_unix(path);
    snprintf(line, sizeof line, "select zenka\n%s %s\n", name, key);
    p7_login_send(fd, line);
    p7_login_finish(fd);
    p7_respond(fd, usecs);
}

/* ---- open-loop load step --------------------------------------------------------------- */

/* Sends `(<id>)PATH x` on schedule, never waiting for answers (an open loop: a load step that
   the servers must absorb, not one that slows down with them). Every request's send time,
   answer time and kind are kept and printed at the end, for the driver to window. */
static void cube_step(const char *sock, const char *path, const char *phases, double drain) {
    request_path = path;
    double secs[64], rate[64];
    int np = 0;
    uint64_t total = 0;
    for (const char *p = phases; *p && np < 64;) {
        char *e;
        secs[np] = strtod(p, &e);
        if (*e != ':') { errno = 0; die("bad PHASES %s", phases); }
        rate[np] = strtod(e + 1, &e);
        if (secs[np] <= 0 || rate[np] < 0 || (*e && *e != ',')) { errno = 0; die("bad PHASES %s", phases); }
        total += (uint64_t)(secs[np] * rate[np]) + 1;
        np++;
        p = *e ? e + 1 : e;
    }
    double *sent = calloc(total + 1, sizeof *sent), *answered = calloc(total + 1, sizeof *answered);
    signed char *kind = calloc(total + 1, 1);
    if (!sent || !answered || !kind) die("out of memory");
    conn *c = new_conn(P7, p7_connect_root(sock));
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    double t0 = now(), phase_start = t0, cpu0 = cpu_seconds();
    uint64_t next = 1, in_phase = 0, open = 0, falses = 0;
    int phase = 0;
    char reason[256] = "";
    for (;;) {
        double t = now();
        while (phase < np && t >= phase_start + secs[phase]) {
            phase_start += secs[phase];
            phase++;
            in_phase = 0;
        }
        if (phase >= np && (open == 0 || t >= phase_start + drain)) break;
        /* every request due by now, in one write */
        size_t olen = 0;
        double wait = 0.05;
        if (phase < np && rate[phase] > 0) {
            while (next <= total && phase_start + (double)in_phase / rate[phase] <= t && olen < BUF - 256) {
                sent[next] = t;
                olen += format_request(P7, c->out + olen, next);
                next++;
                in_phase++;
                open++;
            }
            wait = phase_start + (double)in_phase / rate[phase] - now();
        }
        if (olen) {
            for (size_t done = 0; done < olen;) {
                ssize_t w = write(c->fd, c->out + done, olen - done);
                if (w < 0 && errno == EAGAIN) { usleep(100); continue; }
                if (w < 0 && errno == EINTR) continue;
                if (w < 0) die("write");
                done += (size_t)w;
            }
        }
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        int ms = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
        if (ms > 50) ms = 50;
        if (poll(&pf, 1, ms) <= 0) continue;
        ssize_t r = read(c->fd, c->in + c->have, BUF - c->have);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r <= 0) { if (r == 0) errno = 0; die("read from cube"); }
        c->have += (size_t)r;
        t = now();
        char *p = c->in, *end = c->in + c->have;
        for (char *nl; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
            const char *q;
            if (*p != '(') continue;
            uint64_t id = parse_u64(p + 1, nl, &q);
            if (q >= nl || *q != ')' || id == 0 || id >= next || kind[id] != 0) continue;
            int ok = nl - q >= 5 && memcmp(q + 1, "TRUE", 4) == 0;
            int no = nl - q >= 6 && memcmp(q + 1, "FALSE", 5) == 0;
            if (!ok && !no) continue; /* WAIT and other non-final lines */
            kind[id] = ok ? 1 : -1;
            answered[id] = t;
            open--;
            if (no && !falses++) snprintf(reason, sizeof reason, "%.*s", (int)(nl - q - 1), q + 1);
        }
        c->have = (size_t)(end - p);
        memmove(c->in, p, c->have);
    }
    uint64_t sent_n = next - 1, ok_n = sent_n - open - falses;
    printf("sent=%llu true=%llu false=%llu unanswered=%llu secs=%.3f cpu=%.3f\n", (unsigned long long)sent_n,
           (unsigned long long)ok_n, (unsigned long long)falses, (unsigned long long)open, now() - t0,
           cpu_seconds() - cpu0);
    if (falses) fprintf(stderr, "p7load cube-step: first FALSE: %s\n", reason);
    for (uint64_t i = 1; i < next; i++) {
        if (kind[i]) printf("%.3f %.3f %d\n", (sent[i] - t0) * 1e3, (answered[i] - sent[i]) * 1e3, kind[i] > 0 ? 1 : 0);
        else printf("%.3f -1 -1\n", (sent[i] - t0) * 1e3);
    }
    fflush(stdout);
}

/* ---- many sessions --------------------------------------------------------------------- */

/* Logs in n sessions, batch by batch (each batch's logins are in flight together). */
static const char *many_login = "select unix\nauth unix-root\n";

static int *login_many(const char *path, int n) {
    int *fds = malloc(sizeof(int) * (size_t)n);
    const int batch = 100;
    for (int i = 0; i < n; i += batch) {
        int m = n - i < batch ? n - i : batch;
        for (int j = 0; j < m; j++) {
            fds[i + j] = connect_unix(path);
            p7_login_send(fds[i + j], many_login);
        }
        for (int j = 0; j < m; j++) p7_login_finish(fds[i + j]);
    }
    return fds;
}

static void idle(const char *path, int n) {
    double t = now();
    login_many(path, n);
    printf("ready logins_per_sec=%.0f\n", n / (now() - t));
    fflush(stdout);
    char b[64];
    while (read(0, b, sizeof b) > 0) {}
}

static void active(const char *path, int n, double secs) {
    int *fds = login_many(path, n);
    int ep = epoll_create1(0);
    uint64_t *next = calloc((size_t)n, sizeof *next);
    char req[64], in[65536];
    printf("active\n");
    fflush(stdout);
    double cpu0 = cpu_seconds(), t0 = now(), stop = t0 + secs;
    for (int i = 0; i < n; i++) {
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) < 0) die("epoll_ctl");
        next[i] = 1;
        write_all(fds[i], req, format_request(P7, req, next[i]));
    }
    uint64_t ops = 0;
    struct epoll_event ev[256];
    double t = t0;
    while (t < stop) {
        int k = epoll_wait(ep, ev, 256, 100);
        t = now();
        for (int j = 0; j < k; j++) {
            int i = (int)ev[j].data.u32;
            ssize_t r = read(fds[i], in, sizeof in);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                if (r == 0) errno = 0;
                die("session %d closed", i);
            }
            /* one request in flight per session: a reply is one line ending the read */
            int lines = 0;
            for (ssize_t q = 0; q < r; q++) lines += in[q] == '\n';
            ops += (uint64_t)lines;
            if (lines && t < stop) {
                next[i]++;
                write_all(fds[i], req, format_request(P7, req, next[i]));
            }
        }
    }
    double elapsed = now() - t0;
    printf("ops=%llu secs=%.3f rate=%.0f cpu=%.3f\n", (unsigned long long)ops, elapsed, ops / elapsed,
           cpu_seconds() - cpu0);
    fflush(stdout);
}

/* Local hearts one at a time: the samples go to a buffer and out at the end, so printing
 * never adds to a latency. */
static void ping(const char *path, double secs) {
    int fd = p7_connect_root(path);
    printf("ready\n");
    fflush(stdout);
    size_t cap = (size_t)(secs * 1000) + 16, n = 0;
    double *start = malloc(sizeof(double) * cap), *lat = malloc(sizeof(double) * cap);
    char in[4096];
    double stop = now() + secs;
    for (uint64_t id = 1; n < cap && now() < stop; id++) {
        char req[64];
        int len = snprintf(req, sizeof req, "(%llu)heart\n", (unsigned long long)id);
        double t = now();
        write_all(fd, req, (size_t)len);
        size_t got = 0;
        while (got == 0 || in[got - 1] != '\n') {
            ssize_t r = read(fd, in + got, sizeof in - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) die("heart: connection closed");
            got += (size_t)r;
            if (got == sizeof in) got = 1; /* keep only the end: a heart is one short line */
        }
        start[n] = t;
        lat[n++] = now() - t;
        usleep(1000);
    }
    for (size_t i = 0; i < n; i++) printf("%.6f %.0f\n", start[i], lat[i] * 1e6);
    fflush(stdout);
}

/* ---- connect/close churn (make soak) --------------------------------------------------- */

/* Reads until `lines` LFs have arrived or the peer closed; returns bytes read (0 on close first). */
static size_t read_lines(int fd, char *b, size_t cap, int lines) {
    size_t n = 0;
    while (lines > 0 && n < cap) {
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++) lines -= b[n + (size_t)i] == '\n';
        n += (size_t)r;
    }
    return n;
}

static int connect_tcp_from(int port, uint32_t from) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(from)};
    if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) die("bind");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect 127.0.0.1:%d", port);
    return fd;
}

static void churn(const char *path, int port, long count, const char *user, const char *hello, double rate,
                  double secs) {
    char login[128], b[4096], c25519[1024];
    snprintf(login, sizeof login, "select unix\nauth %s\n", user);
    snprintf(c25519, sizeof c25519, "select c25519\n%s\n", hello);
    long refused = 0;
    uint32_t next_address = 0;
    int kinds = port > 0 ? 3 : 2;
    double t0 = now();
    long i = 0;
    for (; i < count && (secs <= 0 || now() - t0 < secs); i++) {
        if (rate > 0) {
            double due = t0 + (double)i / rate, wait = due - now();
            if (wait > 0) usleep((useconds_t)(wait * 1e6));
        }
        int fd, kind = (int)(i % kinds);
        if (kind == 2) {
            /* 127.1.0.1, 127.1.0.2, ...: a fresh address each time (4,000,000 before one repeats) */
            fd = connect_tcp_from(port, (127u << 24) | (1u << 16) | (1 + next_address++ % 4000000u));
        } else {
            fd = connect_unix(path);
        }
        size_t n = read_lines(fd, b, 32, 1);
        if (n < 32 || memcmp(b, "\\\\PROTOCOL-7-VERSION\\\\", 22) != 0) {
            refused++;
        } else if (kind == 0) {
            write_all(fd, login, strlen(login));
            read_lines(fd, b, sizeof b, 2);
        } else if (kind == 2) {
            write_all(fd, c25519, strlen(c25519));
            read_lines(fd, b, sizeof b, 2);
        }
        close(fd);
    }
    printf("cycles=%ld refused=%ld secs=%.3f\n", i, refused, now() - t0);
    fflush(stdout);
}

/* ---- filesystem round trip ------------------------------------------------------------- */

static void fs(const char *mount, int count) {
    char path[4096], line[128], in[65536];
    snprintf(path, sizeof path, "%s/zenki/bench/out", mount);
    int out = open(path, O_RDONLY | O_CLOEXEC);
    if (out < 0) die("open %s", path);
    snprintf(path, sizeof path, "%s/zenki/bench/cmd", mount);
    int cmd = open(path, O_WRONLY | O_CLOEXEC);
    if (cmd < 0) die("open %s", path);
    samples lat = {0};
    size_t have = 0;
    uint64_t base = 1000000000ULL + (uint64_t)getpid() * 100000ULL; /* never an assigned id */
    int warm = count / 10 + 10;
    double cpu0 = 0, t0 = 0;
    for (int i = 0; i < warm + count; i++) {
        if (i == warm) { cpu0 = cpu_seconds(); t0 = now(); }
        uint64_t id = base + (uint64_t)i;
        char want[64];
        int wl = sprintf(want, "(%llu)TRUE x\n", (unsigned long long)id);
        int n = sprintf(line, "(%llu)bench.echo x\n", (unsigned long long)id);
        double t = now();
        write_all(cmd, line, (size_t)n);
        for (int found = 0; !found;) {
            ssize_t r = read(out, in + have, sizeof in - have);
            if (r <= 0) {
                if (r < 0 && errno == EINTR) continue;
                if (r == 0) errno = 0;
                die("read out");
            }
            have += (size_t)r;
            char *p = in, *end = in + have;
            for (char *nl; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
                if (nl + 1 - p == wl && memcmp(p, want, (size_t)wl) == 0) found = 1;
            have = (size_t)(end - p);
            memmove(in, p, have);
        }
        if (i >= warm) sample_add(&lat, now() - t);
    }
    double elapsed = now() - t0;
    qsort(lat.v, lat.n, sizeof(double), cmp_double);
    printf("ops=%d secs=%.3f rate=%.0f p50_us=%.1f p99_us=%.1f cpu=%.3f\n", count, elapsed, count / elapsed,
           percentile(&lat, 0.5) * 1e6, percentile(&lat, 0.99) * 1e6, cpu_seconds() - cpu0);
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void) {
    fprintf(stderr, "usage: p7load cube-responder|cube-request|raw-request|raw-chain|nats-responder|nats-request|cube-worker|nats-worker|zenka-worker|cube-step|idle|active|churn|ping|fs ...\n"
                    "       (see the comment at the top of Benchmarks/p7load.c)\n");
    exit(2);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) usage();
    const char *m = argv[1];
    if (!strcmp(m, "cube-responder") && argc == 4) {
        cube_responder(argv[2], argv[3], 0);
    } else if (!strcmp(m, "cube-worker") && argc == 5) {
        cube_responder(argv[2], argv[3], atol(argv[4]));
    } else if (!strcmp(m, "zenka-worker") && argc == 3) {
        zenka_worker(atol(argv[2]));
    } else if (!strcmp(m, "cube-step") && argc == 6) {
        cube_step(argv[2], argv[3], argv[4], atof(argv[5]));
    } else if (!strcmp(m, "nats-worker") && argc == 4) {
        nats_responder(atoi(argv[2]), atol(argv[3]));
    } else if (!strcmp(m, "cube-request") && argc >= 6 && argc <= 8) {
        if (argc == 8) request_path = argv[7];
        conn *c = new_conn(P7, p7_connect_root(argv[2]));
        run_requests(c, atoi(argv[3]), atof(argv[4]), atof(argv[5]), argc >= 7 ? strtoull(argv[6], 0, 10) : 0);
    } else if (!strcmp(m, "raw-request") && argc == 5) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) die("socketpair");
        pid_t child = fork();
        if (child < 0) die("fork");
        if (child == 0) {
            close(sv[0]);
            p7_respond(sv[1], 0);
            _exit(0);
        }
        close(sv[1]);
        run_requests(new_conn(P7, sv[0]), atoi(argv[2]), atof(argv[3]), atof(argv[4]), 0);
        close(sv[0]);
        waitpid(child, NULL, 0);
        struct rusage u; /* the responder's CPU time, for the same accounting as a server's */
        getrusage(RUSAGE_CHILDREN, &u);
        printf("cpu_responder_self=%.3f\n", u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec +
                                              u.ru_stime.tv_usec * 1e-6);
    } else if (!strcmp(m, "raw-chain") && argc == 7) {
        int relays = atoi(argv[2]);
        if (relays < 1 || relays > 16) { errno = 0; die("RELAYS must be 1 to 16"); }
        pid_t children[17];
        int fd = start_chain(relays, atol(argv[3]), children);
        run_requests(new_conn(P7, fd), atoi(argv[4]), atof(argv[5]), atof(argv[6]), 0);
        close(fd); /* each relay ends when its left side closes, and closes its right side */
        for (int j = 0; j <= relays; j++) waitpid(children[j], NULL, 0);
        struct rusage u;
        getrusage(RUSAGE_CHILDREN, &u);
        printf("cpu_chain_self=%.3f\n", u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec +
                                          u.ru_stime.tv_usec * 1e-6);
    } else if (!strcmp(m, "nats-responder") && argc == 3) {
        nats_responder(atoi(argv[2]), 0);
    } else if (!strcmp(m, "nats-request") && argc == 6) {
        int fd = connect_tcp(atoi(argv[2]));
        nats_handshake(fd, "_INBOX.r.*");
        run_requests(new_conn(NATS, fd), atoi(argv[3]), atof(argv[4]), atof(argv[5]), 0);
    } else if (!strcmp(m, "idle") && (argc == 4 || argc == 5)) {
        char login[128];
        if (argc == 5) {
            snprintf(login, sizeof login, "select unix\nauth %s\n", argv[4]);
            many_login = login;
        }
        idle(argv[2], atoi(argv[3]));
    } else if (!strcmp(m, "churn") && (argc == 8 || argc == 9)) {
        churn(argv[2], atoi(argv[3]), atol(argv[4]), argv[5], argv[6], atof(argv[7]), argc == 9 ? atof(argv[8]) : 0);
    } else if (!strcmp(m, "active") && argc == 5) {
        active(argv[2], atoi(argv[3]), atof(argv[4]));
    } else if (!strcmp(m, "ping") && argc == 4) {
        ping(argv[2], atof(argv[3]));
    } else if (!strcmp(m, "fs") && argc == 4) {
        fs(argv[2], atoi(argv[3]));
    } else {
        usage();
    }
    return 0;
}
