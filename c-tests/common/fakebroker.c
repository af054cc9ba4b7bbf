/* Scripted fake broker; see fakebroker.h. */
#define _POSIX_C_SOURCE 200809L
#include "fakebroker.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONN 32
#define MAX_CAPTURE 256

struct fake_broker {
    int listener, port;
    const fake_reply *replies;
    int nreplies;
    volatile int stop;
    pthread_t thread;
    pthread_mutex_t lock;
    int levels[MAX_CONN];
    int nconn;
    int nclosed;
    /* What each connection's client sent after its CONNECT (first bytes). */
    unsigned char captured[MAX_CONN][MAX_CAPTURE];
    int ncaptured[MAX_CONN];
};

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
    while (!fb->stop) {
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
                while (!fb->stop && tu_now_ms() < end) {
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

fake_broker *fake_start(const fake_reply *replies, int nreplies)
{
    fake_broker *fb = calloc(1, sizeof *fb);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (!fb || nreplies < 1)
        tu_fail("fake_start");
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
    pthread_mutex_init(&fb->lock, NULL);
    if (pthread_create(&fb->thread, NULL, serve, fb) != 0)
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
    fb->stop = 1;
    pthread_join(fb->thread, NULL);
    close(fb->listener);
    pthread_mutex_destroy(&fb->lock);
    free(fb);
}
