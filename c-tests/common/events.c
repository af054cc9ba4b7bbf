/* Thread-safe event log; see events.h. */
#define _POSIX_C_SOURCE 200809L
#include "events.h"
#include "testutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EV_MAX 256
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static char *ev_lines[EV_MAX];
static int ev_n;

void ev_add(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tu_log("event @%lld: %s", tu_now_ms() % 100000, buf);
    pthread_mutex_lock(&ev_lock);
    if (ev_n < EV_MAX)
        ev_lines[ev_n++] = strdup(buf);
    pthread_cond_broadcast(&ev_cond);
    pthread_mutex_unlock(&ev_lock);
}

int ev_count(void)
{
    int n;
    pthread_mutex_lock(&ev_lock);
    n = ev_n;
    pthread_mutex_unlock(&ev_lock);
    return n;
}

int ev_wait(int n, int timeout_ms)
{
    struct timespec deadline;
    int got;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&ev_lock);
    while (ev_n < n)
        if (pthread_cond_timedwait(&ev_cond, &ev_lock, &deadline) == ETIMEDOUT)
            break;
    got = ev_n;
    pthread_mutex_unlock(&ev_lock);
    return got;
}

void ev_flush(const char *prefix)
{
    int i;
    pthread_mutex_lock(&ev_lock);
    for (i = 0; i < ev_n; i++) {
        printf("%s%s\n", prefix, ev_lines[i]);
        free(ev_lines[i]);
    }
    ev_n = 0;
    pthread_mutex_unlock(&ev_lock);
}

static size_t first_word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ' ' && s[n] != ':')
        n++;
    return n;
}

static int word_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = strncmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

void ev_flush_grouped(const char *prefix)
{
    int i, j, done[EV_MAX] = { 0 };
    pthread_mutex_lock(&ev_lock);
    for (;;) {
        /* Next group: the smallest first word not printed yet. */
        int best = -1;
        size_t w = 0;
        for (i = 0; i < ev_n; i++) {
            size_t wi;
            if (done[i])
                continue;
            wi = first_word_len(ev_lines[i]);
            if (best < 0 || word_cmp(ev_lines[i], wi, ev_lines[best], w) < 0) {
                best = i;
                w = wi;
            }
        }
        if (best < 0)
            break;
        for (j = best; j < ev_n; j++)
            if (!done[j] && word_cmp(ev_lines[j], first_word_len(ev_lines[j]), ev_lines[best], w) == 0) {
                printf("%s%s\n", prefix, ev_lines[j]);
                done[j] = 1;
            }
    }
    for (i = 0; i < ev_n; i++)
        free(ev_lines[i]);
    ev_n = 0;
    pthread_mutex_unlock(&ev_lock);
}
