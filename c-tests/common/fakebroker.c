/* Scripted fake broker; see fakebroker.h. */
#define _POSIX_C_SOURCE 200809L
#include "fakebroker.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONN 32
#define MAX_CAPTURE 256
#define MAX_STEPS 32
#define MAX_PACKET_KEPT 512
#define INBUF (64 * 1024 + 8)

struct fake_broker {
    int listener, port;
    const fake_reply *replies;
    int nreplies;
    int stop; /* under lock: see stopping() */
    pthread_t thread;
    pthread_mutex_t lock;
    int levels[MAX_CONN];
    int nconn;
    int nclosed;
    /* What each connection's client sent after its CONNECT (first bytes). */
    unsigned char captured[MAX_CONN][MAX_CAPTURE];
    int ncaptured[MAX_CONN];

    /* Script mode (scripts != NULL). */
    const fake_step *const *scripts;
    int nscripts;
    int status[MAX_CONN]; /* 0 running or not reached, 1 done, -1 mismatch */
    long long step_ms[MAX_CONN][MAX_STEPS + 1]; /* [0] = accept, [i + 1] = step i; 0 = not reached */
    unsigned char packets[MAX_CONN][MAX_STEPS][MAX_PACKET_KEPT];
    int packet_len[MAX_CONN][MAX_STEPS]; /* 0 = none (a packet has at least 2 bytes) */
    int nfailures;
    char report[8192];
    /* The connection being served (one at a time). */
    unsigned char inbuf[INBUF];
    int have;
};

/* Whether fake_stop was called (read under the lock, so that thread checkers
 * see the hand-over). */
static int stopping(fake_broker *fb)
{
    int s;
    pthread_mutex_lock(&fb->lock);
    s = fb->stop;
    pthread_mutex_unlock(&fb->lock);
    return s;
}

/* Reads exactly n bytes, giving up after 5 s of silence. */
static int read_n(int fd, unsigned char *buf, int n)
{
    int got = 0;
    while (got < n) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t r;
        if (poll(&p, 1, 5000) <= 0)
            return -1;
        r = read(fd, buf + got, (size_t)(n - got));
        if (r <= 0)
            return -1;
        got += (int)r;
    }
    return 0;
}

/* Reads one CONNECT packet and returns its protocol level, or -1. */
static int read_connect_level(int fd)
{
    unsigned char b, body[1024];
    int len = 0, shift = 0, name_len;
    if (read_n(fd, &b, 1) != 0 || (b & 0xf0) != 0x10)
        return -1;
    do {
        if (read_n(fd, &b, 1) != 0)
            return -1;
        len |= (b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (len > (int)sizeof body || read_n(fd, body, len) != 0)
        return -1;
    name_len = (body[0] << 8) | body[1];
    if (2 + name_len >= len)
        return -1;
    return body[2 + name_len];
}

static void *serve(void *arg)
{
    fake_broker *fb = arg;
    while (!stopping(fb)) {
        struct pollfd p = { fb->listener, POLLIN, 0 };
        int fd, level, i, conn, client_closed = 0;
        if (poll(&p, 1, 50) <= 0)
            continue;
        fd = accept(fb->listener, NULL, NULL);
        if (fd < 0)
            continue;
        level = read_connect_level(fd);
        pthread_mutex_lock(&fb->lock);
        i = conn = fb->nconn;
        if (fb->nconn < MAX_CONN)
            fb->levels[fb->nconn++] = level;
        pthread_mutex_unlock(&fb->lock);
        if (i >= fb->nreplies)
            i = fb->nreplies - 1;
        if (level >= 0 && fb->replies[i].bytes) {
            ssize_t w = write(fd, fb->replies[i].bytes, (size_t)fb->replies[i].len);
            (void)w;
            /* Hold (at least a moment, so the client reads the reply rather
             * than a reset), swallowing input, until the client closes. */
            {
                unsigned char sink[512];
                const fake_reply *rep = &fb->replies[i];
                long long start = tu_now_ms();
                long long end = start + (rep->hold_ms > 0 ? rep->hold_ms : 500);
                int later_sent = rep->later == NULL;
                while (!stopping(fb) && tu_now_ms() < end) {
                    if (!later_sent && tu_now_ms() >= start + rep->later_ms) {
                        ssize_t w2 = write(fd, rep->later, (size_t)rep->later_len);
                        (void)w2;
                        later_sent = 1;
                    }
                    struct pollfd q = { fd, POLLIN, 0 };
                    ssize_t r;
                    if (poll(&q, 1, 50) <= 0)
                        continue;
                    r = read(fd, sink, sizeof sink);
                    if (r <= 0) {
                        client_closed = 1;
                        break;
                    }
                    pthread_mutex_lock(&fb->lock);
                    if (conn < MAX_CONN) {
                        int room = MAX_CAPTURE - fb->ncaptured[conn];
                        int n = (int)r < room ? (int)r : room;
                        memcpy(fb->captured[conn] + fb->ncaptured[conn], sink, (size_t)n);
                        fb->ncaptured[conn] += n;
                    }
                    pthread_mutex_unlock(&fb->lock);
                }
            }
        }
        /* Counted before the close, so a client that saw the close also
         * sees the count; closes the client started do not count. */
        pthread_mutex_lock(&fb->lock);
        if (!client_closed)
            fb->nclosed++;
        pthread_mutex_unlock(&fb->lock);
        close(fd);
    }
    return NULL;
}

/* ---- script mode ---------------------------------------------------------- */

static const char *op_name(enum fake_op op)
{
    static const char *names[] = { "END", "EXPECT", "EXPECT_DISCONNECT", "EXPECT_CLOSED", "SEND",
                                   "SEND_TRICKLE", "ACK", "SLEEP", "SILENT", "CLOSE", "EXPECT_QUIET" };
    return (unsigned)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

static const char *type_name(int type)
{
    static const char *names[] = { "RESERVED0", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC",
                                   "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
                                   "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH" };
    return names[type & 15];
}

/* Appends up to 48 bytes of b as hex to the report (lock held). */
static void report_hex(fake_broker *fb, const unsigned char *b, int n)
{
    size_t used = strlen(fb->report);
    int i;
    for (i = 0; i < n && i < 48 && used + 4 < sizeof fb->report; i++) {
        snprintf(fb->report + used, sizeof fb->report - used, " %02x", b[i]);
        used += 3;
    }
    if (n > 48 && used + 5 < sizeof fb->report)
        strcat(fb->report, " ...");
}

/* Records a mismatch at step `step` of connection conn; the bytes, if any,
 * are what the client sent there. */
static void mismatch(fake_broker *fb, int conn, int step, const unsigned char *got, int got_len,
                     const char *fmt, ...)
{
    va_list ap;
    size_t used;
    char what[256];
    const fake_step *st = NULL;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (conn < fb->nscripts && step >= 0)
        st = &fb->scripts[conn][step];
    pthread_mutex_lock(&fb->lock);
    fb->nfailures++;
    if (conn < MAX_CONN)
        fb->status[conn] = -1;
    used = strlen(fb->report);
    snprintf(fb->report + used, sizeof fb->report - used, "  connection %d step %d %s%s%s: %s", conn, step,
             st ? op_name(st->op) : "-", st && st->op == FAKE_EXPECT && !st->bytes ? " " : "",
             st && st->op == FAKE_EXPECT && !st->bytes ? type_name(st->type) : "", what);
    if (got && got_len > 0) {
        used = strlen(fb->report);
        snprintf(fb->report + used, sizeof fb->report - used, "; got");
        report_hex(fb, got, got_len);
    }
    used = strlen(fb->report);
    if (used + 2 < sizeof fb->report)
        strcat(fb->report, "\n");
    pthread_mutex_unlock(&fb->lock);
    tu_log("fakebroker: connection %d step %d: %s", conn, step, what);
}

/* The fixed header of the packet at the start of the input: 1 with *hdr and
 * *total set, 0 when incomplete, -1 when the remaining length is bad. */
static int packet_extent(const unsigned char *b, int have, int *hdr, int *total)
{
    int len = 0, i;
    for (i = 1; i <= 4; i++) {
        if (i >= have)
            return 0;
        len |= (b[i] & 0x7f) << (7 * (i - 1));
        if (!(b[i] & 0x80)) {
            *hdr = i + 1;
            *total = i + 1 + len;
            return 1;
        }
    }
    return -1;
}

/* Waits for one whole packet from the client at the start of fb->inbuf:
 * 1 (its length in *plen), 0 after timeout_ms (or fake_stop), -1 when the
 * client closed first, -2 when its remaining length is bad or too big. */
static int read_packet(fake_broker *fb, int fd, int conn, int timeout_ms, int *closed, int *plen)
{
    long long deadline = tu_now_ms() + timeout_ms;
    for (;;) {
        int hdr, total, e = fb->have >= 2 ? packet_extent(fb->inbuf, fb->have, &hdr, &total) : 0;
        long long left;
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t r;
        if (e < 0 || (e > 0 && total > INBUF))
            return -2;
        if (e > 0 && fb->have >= total) {
            *plen = total;
            return 1;
        }
        if (*closed)
            return -1;
        left = deadline - tu_now_ms();
        if (left <= 0 || stopping(fb))
            return 0;
        if (poll(&p, 1, left < 50 ? (int)left : 50) <= 0)
            continue;
        r = read(fd, fb->inbuf + fb->have, (size_t)(INBUF - fb->have));
        if (r <= 0) {
            *closed = 1;
            continue;
        }
        fb->have += (int)r;
        (void)conn;
    }
}

/* Drops the first n bytes of the input, after keeping them in the capture
 * of connection conn unless they are its CONNECT. */
static void consume(fake_broker *fb, int conn, int n)
{
    if ((fb->inbuf[0] >> 4) != FAKE_CONNECT) {
        pthread_mutex_lock(&fb->lock);
        if (conn < MAX_CONN) {
            int room = MAX_CAPTURE - fb->ncaptured[conn];
            int k = n < room ? n : room;
            memcpy(fb->captured[conn] + fb->ncaptured[conn], fb->inbuf, (size_t)k);
            fb->ncaptured[conn] += k;
        }
        pthread_mutex_unlock(&fb->lock);
    }
    memmove(fb->inbuf, fb->inbuf + n, (size_t)(fb->have - n));
    fb->have -= n;
}

/* The packet identifier of a packet that has one, or -1. */
static int packet_id_of(const unsigned char *b, int n)
{
    int hdr, total, type = b[0] >> 4, at;
    if (packet_extent(b, n, &hdr, &total) != 1)
        return -1;
    if (type == FAKE_PUBLISH) {
        if (((b[0] >> 1) & 3) == 0 || hdr + 2 > n)
            return -1;
        at = hdr + 2 + ((b[hdr] << 8) | b[hdr + 1]);
    } else if ((type >= FAKE_PUBACK && type <= FAKE_SUBACK) || type == FAKE_UNSUBSCRIBE || type == FAKE_UNSUBACK) {
        at = hdr;
    } else {
        return -1;
    }
    return at + 2 <= n ? (b[at] << 8) | b[at + 1] : -1;
}

/* The protocol level of a CONNECT, or -1. */
static int connect_level(const unsigned char *b, int n)
{
    int hdr, total, name_len;
    if (packet_extent(b, n, &hdr, &total) != 1 || hdr + 2 > n)
        return -1;
    name_len = (b[hdr] << 8) | b[hdr + 1];
    return hdr + 2 + name_len < n ? b[hdr + 2 + name_len] : -1;
}

static int write_all(int fd, const unsigned char *b, int n)
{
    while (n > 0) {
        ssize_t w = send(fd, b, (size_t)n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (int)w;
    }
    return 0;
}

static void pause_ms(fake_broker *fb, int ms)
{
    long long end = tu_now_ms() + ms;
    while (!stopping(fb) && tu_now_ms() < end) {
        long long left = end - tu_now_ms();
        tu_sleep_ms(left < 50 ? (int)left : 50);
    }
}

/* Compares the packet with what step st expects; returns NULL or what differs. */
static const char *compare(const fake_step *st, const unsigned char *b, int n, char *why, size_t size)
{
    int i;
    if (!st->bytes) {
        if ((b[0] >> 4) != st->type) {
            snprintf(why, size, "expected %s, got %s", type_name(st->type), type_name(b[0] >> 4));
            return why;
        }
        return NULL;
    }
    if (n < st->len || (!st->prefix && n != st->len)) {
        snprintf(why, size, "expected %s%d bytes, got %d", st->prefix ? "at least " : "", st->len, n);
        return why;
    }
    for (i = 0; i < st->len; i++) {
        int m = st->mask ? st->mask[i] : 0xff;
        if ((b[i] ^ st->bytes[i]) & m) {
            snprintf(why, size, "byte %d is %02x, expected %02x (mask %02x)", i, b[i], st->bytes[i], m);
            return why;
        }
    }
    return NULL;
}

static void mark_step(fake_broker *fb, int conn, int step)
{
    pthread_mutex_lock(&fb->lock);
    if (conn < MAX_CONN && step < MAX_STEPS)
        fb->step_ms[conn][step + 1] = tu_now_ms();
    pthread_mutex_unlock(&fb->lock);
}

/* Plays connection conn's script on fd; returns 1 when the client closed
 * the connection, 0 when the broker should close it. */
static int run_script(fake_broker *fb, int conn, int fd)
{
    const fake_step *script = fb->scripts[conn];
    int step, closed = 0, last_id = -1;
    char why[160];
    fb->have = 0;
    for (step = 0; !stopping(fb); step++) {
        const fake_step *st = &script[step];
        int r, n = 0, timeout = st->ms > 0 ? st->ms : 5000;
        if (step >= MAX_STEPS) {
            mismatch(fb, conn, step, NULL, 0, "script longer than %d steps", MAX_STEPS);
            return closed;
        }
        switch (st->op) {
        case FAKE_END:
        case FAKE_CLOSE:
            mark_step(fb, conn, step);
            pthread_mutex_lock(&fb->lock);
            fb->status[conn] = 1;
            pthread_mutex_unlock(&fb->lock);
            return closed;
        case FAKE_EXPECT:
        case FAKE_EXPECT_DISCONNECT:
        case FAKE_EXPECT_CLOSED:
            r = read_packet(fb, fd, conn, timeout, &closed, &n);
            if (st->op == FAKE_EXPECT_CLOSED) {
                if (r == -1 && fb->have == 0)
                    break;
                if (r == 1)
                    mismatch(fb, conn, step, fb->inbuf, n, "expected the client to close, it sent a packet");
                else if (r == -1)
                    mismatch(fb, conn, step, fb->inbuf, fb->have, "the client closed after part of a packet");
                else
                    mismatch(fb, conn, step, fb->inbuf, fb->have, "still open after %d ms", timeout);
                return closed;
            }
            if (r == 0) {
                mismatch(fb, conn, step, fb->inbuf, fb->have, "no packet within %d ms", timeout);
                return closed;
            }
            if (r == -1) {
                mismatch(fb, conn, step, fb->inbuf, fb->have, "the client closed the connection");
                return closed;
            }
            if (r == -2) {
                mismatch(fb, conn, step, fb->inbuf, fb->have, "bad remaining length from the client");
                return closed;
            }
            if (st->op == FAKE_EXPECT_DISCONNECT) {
                int hdr, total, reason;
                packet_extent(fb->inbuf, n, &hdr, &total);
                reason = total > hdr ? fb->inbuf[hdr] : 0;
                if (fb->inbuf[0] != 0xe0) {
                    mismatch(fb, conn, step, fb->inbuf, n, "expected DISCONNECT 0x%02x, got %s", st->reason,
                             type_name(fb->inbuf[0] >> 4));
                    return closed;
                }
                if (reason != st->reason) {
                    mismatch(fb, conn, step, fb->inbuf, n, "DISCONNECT with reason 0x%02x, expected 0x%02x", reason,
                             st->reason);
                    return closed;
                }
            } else if (compare(st, fb->inbuf, n, why, sizeof why)) {
                mismatch(fb, conn, step, fb->inbuf, n, "%s", why);
                return closed;
            }
            pthread_mutex_lock(&fb->lock);
            if (conn < MAX_CONN && step < MAX_STEPS) {
                int keep = n < MAX_PACKET_KEPT ? n : MAX_PACKET_KEPT;
                memcpy(fb->packets[conn][step], fb->inbuf, (size_t)keep);
                fb->packet_len[conn][step] = keep;
            }
            if ((fb->inbuf[0] >> 4) == FAKE_CONNECT && conn < MAX_CONN)
                fb->levels[conn] = connect_level(fb->inbuf, n);
            pthread_mutex_unlock(&fb->lock);
            if (packet_id_of(fb->inbuf, n) >= 0)
                last_id = packet_id_of(fb->inbuf, n);
            consume(fb, conn, n);
            break;
        case FAKE_SEND:
            if (write_all(fd, st->bytes, st->len) != 0) {
                mismatch(fb, conn, step, NULL, 0, "write failed: %s", strerror(errno));
                return closed;
            }
            break;
        case FAKE_SEND_TRICKLE:
            for (n = 0; n < st->len && !stopping(fb); n++) {
                if (write_all(fd, st->bytes + n, 1) != 0) {
                    mismatch(fb, conn, step, NULL, 0, "write of byte %d failed: %s", n, strerror(errno));
                    return closed;
                }
                if (n + 1 < st->len)
                    pause_ms(fb, st->ms);
            }
            break;
        case FAKE_ACK: {
            unsigned char ack[104];
            int tail = st->bytes ? st->len : 0;
            if (last_id < 0) {
                mismatch(fb, conn, step, NULL, 0, "no packet identifier seen to acknowledge");
                return closed;
            }
            if (tail > 100)
                tu_fail("fake broker: FS_ACK_WITH takes at most 100 bytes");
            ack[0] = (unsigned char)st->type;
            ack[1] = (unsigned char)(2 + tail);
            ack[2] = (unsigned char)(last_id >> 8);
            ack[3] = (unsigned char)(last_id & 0xff);
            if (tail)
                memcpy(ack + 4, st->bytes, (size_t)tail);
            if (write_all(fd, ack, 4 + tail) != 0) {
                mismatch(fb, conn, step, NULL, 0, "write failed: %s", strerror(errno));
                return closed;
            }
            break;
        }
        case FAKE_SLEEP:
            pause_ms(fb, st->ms);
            break;
        case FAKE_EXPECT_QUIET:
            r = read_packet(fb, fd, conn, st->ms, &closed, &n);
            if (r == 1) {
                mismatch(fb, conn, step, fb->inbuf, n, "a packet within %d ms", st->ms);
                return closed;
            }
            if (r != 0) {
                mismatch(fb, conn, step, fb->inbuf, fb->have, "the client closed the connection");
                return closed;
            }
            if (fb->have > 0) {
                mismatch(fb, conn, step, fb->inbuf, fb->have, "part of a packet within %d ms", st->ms);
                return closed;
            }
            break;
        case FAKE_SILENT: {
            long long end = st->ms > 0 ? tu_now_ms() + st->ms : -1;
            while (!stopping(fb)) {
                long long left = end < 0 ? 100 : end - tu_now_ms();
                if (left <= 0)
                    break;
                r = read_packet(fb, fd, conn, (int)left, &closed, &n);
                if (r == 1)
                    consume(fb, conn, n);
                else if (r == -2)
                    fb->have = 0;
                else if (r == -1)
                    break;
            }
            break;
        }
        }
        mark_step(fb, conn, step);
    }
    return closed;
}

static void *serve_script(void *arg)
{
    fake_broker *fb = arg;
    while (!stopping(fb)) {
        struct pollfd p = { fb->listener, POLLIN, 0 };
        int fd, conn, client_closed = 0;
        if (poll(&p, 1, 50) <= 0)
            continue;
        fd = accept(fb->listener, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&fb->lock);
        conn = fb->nconn;
        if (fb->nconn < MAX_CONN) {
            fb->levels[fb->nconn++] = -1;
            fb->step_ms[conn][0] = tu_now_ms();
        }
        pthread_mutex_unlock(&fb->lock);
        if (conn >= fb->nscripts || conn >= MAX_CONN)
            mismatch(fb, conn, -1, NULL, 0, "connection %d is not scripted (%d scripts)", conn, fb->nscripts);
        else
            client_closed = run_script(fb, conn, fd);
        pthread_mutex_lock(&fb->lock);
        if (!client_closed)
            fb->nclosed++;
        pthread_mutex_unlock(&fb->lock);
        close(fd);
    }
    return NULL;
}

static fake_broker *start_common(void *(*serve_fn)(void *), const fake_reply *replies, int nreplies,
                                 const fake_step *const *scripts, int nscripts);

fake_broker *fake_start_script(const fake_step *const *scripts, int nscripts)
{
    if (!scripts || nscripts < 1)
        tu_fail("fake_start_script: no scripts");
    return start_common(serve_script, NULL, 0, scripts, nscripts);
}

int fake_wait_script(fake_broker *fb, int conn, int timeout_ms)
{
    long long deadline = tu_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pthread_mutex_lock(&fb->lock);
        st = conn >= 0 && conn < MAX_CONN ? fb->status[conn] : -1;
        if (st == 0 && fb->nfailures > 0 && conn >= fb->nscripts)
            st = -1;
        pthread_mutex_unlock(&fb->lock);
        if (st != 0)
            return st;
        if (tu_now_ms() >= deadline)
            return 0;
        tu_sleep_ms(10);
    }
}

int fake_failures(fake_broker *fb)
{
    int n;
    pthread_mutex_lock(&fb->lock);
    n = fb->nfailures;
    pthread_mutex_unlock(&fb->lock);
    return n;
}

void fake_check(fake_broker *fb)
{
    pthread_mutex_lock(&fb->lock);
    if (fb->nfailures) {
        char report[sizeof fb->report];
        int n = fb->nfailures;
        memcpy(report, fb->report, sizeof report);
        pthread_mutex_unlock(&fb->lock);
        tu_fail("fake broker: %d step(s) did not go as scripted:\n%s", n, report);
    }
    pthread_mutex_unlock(&fb->lock);
}

int fake_connections(fake_broker *fb)
{
    int n;
    pthread_mutex_lock(&fb->lock);
    n = fb->nconn;
    pthread_mutex_unlock(&fb->lock);
    return n;
}

long long fake_step_ms(fake_broker *fb, int conn, int step)
{
    long long t = -1;
    pthread_mutex_lock(&fb->lock);
    if (conn >= 0 && conn < MAX_CONN && step >= -1 && step < MAX_STEPS && fb->step_ms[conn][step + 1])
        t = fb->step_ms[conn][step + 1];
    pthread_mutex_unlock(&fb->lock);
    return t;
}

int fake_packet(fake_broker *fb, int conn, int step, unsigned char *buf, int max)
{
    int n = -1;
    pthread_mutex_lock(&fb->lock);
    if (conn >= 0 && conn < MAX_CONN && step >= 0 && step < MAX_STEPS && fb->packet_len[conn][step] > 0) {
        n = fb->packet_len[conn][step] < max ? fb->packet_len[conn][step] : max;
        memcpy(buf, fb->packets[conn][step], (size_t)n);
    }
    pthread_mutex_unlock(&fb->lock);
    return n;
}

/* ---- both modes --------------------------------------------------------------- */

fake_broker *fake_start(const fake_reply *replies, int nreplies)
{
    if (nreplies < 1)
        tu_fail("fake_start");
    return start_common(serve, replies, nreplies, NULL, 0);
}

static fake_broker *start_common(void *(*serve_fn)(void *), const fake_reply *replies, int nreplies,
                                 const fake_step *const *scripts, int nscripts)
{
    fake_broker *fb = calloc(1, sizeof *fb);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (!fb)
        tu_fail("fake broker: out of memory");
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fb->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (fb->listener < 0 || bind(fb->listener, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(fb->listener, 16) != 0 || getsockname(fb->listener, (struct sockaddr *)&a, &len) != 0)
        tu_fail("fake broker: cannot listen");
    fb->port = ntohs(a.sin_port);
    fb->replies = replies;
    fb->nreplies = nreplies;
    fb->scripts = scripts;
    fb->nscripts = nscripts;
    pthread_mutex_init(&fb->lock, NULL);
    if (pthread_create(&fb->thread, NULL, serve_fn, fb) != 0)
        tu_fail("fake broker: thread");
    return fb;
}

int fake_port(fake_broker *fb) { return fb->port; }

int fake_levels(fake_broker *fb, int *levels, int max)
{
    int i, n;
    pthread_mutex_lock(&fb->lock);
    n = fb->nconn;
    for (i = 0; i < n && i < max; i++)
        levels[i] = fb->levels[i];
    pthread_mutex_unlock(&fb->lock);
    return n;
}

int fake_closed(fake_broker *fb)
{
    int n;
    pthread_mutex_lock(&fb->lock);
    n = fb->nclosed;
    pthread_mutex_unlock(&fb->lock);
    return n;
}

int fake_received(fake_broker *fb, int conn, unsigned char *buf, int max)
{
    int n = 0;
    pthread_mutex_lock(&fb->lock);
    if (conn >= 0 && conn < MAX_CONN) {
        n = fb->ncaptured[conn] < max ? fb->ncaptured[conn] : max;
        memcpy(buf, fb->captured[conn], (size_t)n);
    }
    pthread_mutex_unlock(&fb->lock);
    return n;
}

void fake_stop(fake_broker *fb)
{
    pthread_mutex_lock(&fb->lock);
    fb->stop = 1;
    pthread_mutex_unlock(&fb->lock);
    pthread_join(fb->thread, NULL);
    close(fb->listener);
    pthread_mutex_destroy(&fb->lock);
    free(fb);
}
