/* Shared helpers for the C tests; see testutil.h. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Only for tu_step's annotation; the tests build without valgrind's headers too. */
#if defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif
#endif

const char *tu_env_opt(const char *name)
{
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

const char *tu_env(const char *name)
{
    const char *v = tu_env_opt(name);
    if (!v) {
        fprintf(stderr, "ERROR: environment variable %s is not set\n", name);
        exit(2);
    }
    return v;
}

void tu_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void tu_fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Read by the signal handler, so a fixed buffer rather than a pointer to
 * caller memory that might be gone. */
static char step_name[160] = "start";

void tu_step(const char *what)
{
#ifdef VALGRIND_HG_DISABLE_CHECKING
    /* Callback threads and the main thread name steps without ordering between them: the
     * name is only a hint for the watchdog's message, so helgrind is told to ignore it. */
    VALGRIND_HG_DISABLE_CHECKING(step_name, sizeof step_name);
#endif
    strncpy(step_name, what, sizeof step_name - 1);
    step_name[sizeof step_name - 1] = '\0';
    tu_log("step: %s", what);
}

static void on_alarm(int sig)
{
    static const char msg[] = "WATCHDOG: test hung; last step: ";
    ssize_t ignored;
    (void)sig;
    ignored = write(2, msg, sizeof msg - 1);
    ignored = write(2, step_name, strlen(step_name));
    ignored = write(2, "\n", 1);
    (void)ignored;
    _exit(3);
}

void tu_watchdog(unsigned seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(seconds * tu_time_scale());
}

unsigned tu_time_scale(void)
{
    const char *v = tu_env_opt("MQTT_TEST_TIME_SCALE");
    int n = v ? atoi(v) : 1;
    return n > 1 ? (unsigned)n : 1;
}

int tu_is_ours(void)
{
    return strcmp(tu_env("MQTT_TEST_EXPECT"), "ours") == 0;
}

void tu_check_product(const char *product)
{
    const char *expect = tu_env("MQTT_TEST_EXPECT");
    int ours;

    setvbuf(stdout, NULL, _IOLBF, 0);
    tu_watchdog(TU_DEFAULT_WATCHDOG);

    if (strcmp(expect, "ours") != 0 && strcmp(expect, "paho") != 0) {
        fprintf(stderr, "ERROR: MQTT_TEST_EXPECT must be ours or paho, not '%s'\n", expect);
        exit(2);
    }
    if (!product) {
        fprintf(stderr, "ERROR: getVersionInfo has no \"Product name\"\n");
        exit(2);
    }
    ours = strstr(product, "Rust implementation") != NULL;
    if (ours != (strcmp(expect, "ours") == 0)) {
        fprintf(stderr, "ERROR: expected %s library but loaded \"%s\"\n", expect, product);
        exit(2);
    }
    tu_log("library: %s", product);
}

#define RING 8
static char ring[RING][256];
static int ring_next;

static char *ring_slot(void)
{
    char *s = ring[ring_next];
    ring_next = (ring_next + 1) % RING;
    return s;
}

const char *tu_client_id(const char *tag)
{
    static unsigned counter;
    char *s = ring_slot();
    /* "c" + pid (<= 6 hex digits) + counter (2 hex) + tag, cut at 23. */
    snprintf(s, 24, "c%x%02x%s", (unsigned)getpid() & 0xffffff, counter++ & 0xff, tag);
    return s;
}

const char *tu_topic(const char *suffix)
{
    char *s = ring_slot();
    snprintf(s, 256, "%s/%s", tu_env("MQTT_TEST_TOPIC_PREFIX"), suffix);
    return s;
}

const char *tu_topic_suffix(const char *topic)
{
    const char *prefix = tu_env("MQTT_TEST_TOPIC_PREFIX");
    size_t n = strlen(prefix);
    if (topic && strncmp(topic, prefix, n) == 0 && topic[n] == '/')
        return topic + n + 1;
    return topic;
}

void tu_sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

long long tu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char tu_child_note[256];

int tu_in_child(int (*fn)(void *), void *arg, unsigned seconds, int *rc)
{
    int fds[2], status = 0, got = 0;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0)
        tu_fail("pipe failed");
    pid = fork();
    if (pid < 0)
        tu_fail("fork failed");
    if (pid == 0) {
        int r;
        ssize_t ignored;
        close(fds[0]);
        tu_watchdog(seconds);
        tu_child_note[0] = '\0';
        r = fn(arg);
        ignored = write(fds[1], &r, sizeof r);
        ignored = write(fds[1], tu_child_note, sizeof tu_child_note);
        (void)ignored;
        _exit(0);
    }
    close(fds[1]);
    tu_child_note[0] = '\0';
    if (read(fds[0], rc, sizeof *rc) == (ssize_t)sizeof *rc)
        got = 1;
    if (got && read(fds[0], tu_child_note, sizeof tu_child_note) != (ssize_t)sizeof tu_child_note)
        tu_child_note[0] = '\0';
    tu_child_note[sizeof tu_child_note - 1] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFSIGNALED(status))
        return TU_CHILD_CRASH;
    if (WEXITSTATUS(status) == 3)
        return TU_CHILD_HANG;
    if (!got || WEXITSTATUS(status) != 0)
        return TU_CHILD_ERROR;
    return TU_CHILD_OK;
}

static unsigned char pattern_byte(long size, int qos, long i)
{
    return (unsigned char)((i * 7 + size + qos * 31 + (i >> 12)) & 0xff);
}

unsigned char *tu_pattern_payload(long size, int qos)
{
    unsigned char *p = malloc(size > 0 ? (size_t)size : 1);
    long i;
    if (!p)
        tu_fail("out of memory");
    for (i = 0; i < size; i++)
        p[i] = pattern_byte(size, qos, i);
    return p;
}

int tu_pattern_intact(const void *p, long len, int qos)
{
    const unsigned char *b = p;
    long i;
    if (len > 0 && !p)
        return 0;
    for (i = 0; i < len; i++)
        if (b[i] != pattern_byte(len, qos, i))
            return 0;
    return 1;
}

void tu_print_payload(const void *payload, int len)
{
    const unsigned char *p = payload;
    int i, printable = 1;
    for (i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            printable = 0;
    if (printable) {
        printf("'%.*s'", len, (const char *)payload);
    } else {
        printf("hex:");
        for (i = 0; i < len; i++)
            printf("%02x", p[i]);
    }
}

static void format_bytes(char *buf, size_t size, const char *data, int len)
{
    const unsigned char *p = (const unsigned char *)data;
    int i, printable = 1;
    size_t n;
    for (i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            printable = 0;
    if (printable) {
        snprintf(buf, size, "'%.*s'", len, data);
        return;
    }
    n = (size_t)snprintf(buf, size, "hex:");
    for (i = 0; i < len && n + 3 < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%02x", p[i]);
}

static void format_prop(char *buf, size_t size, const MQTTProperty *p)
{
    char a[160], b[160];
    const char *name = MQTTPropertyName(p->identifier);
    switch (MQTTProperty_getType(p->identifier)) {
    case MQTTPROPERTY_TYPE_BYTE:
        snprintf(buf, size, "%s=%d", name, p->value.byte);
        break;
    case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER:
        snprintf(buf, size, "%s=%d", name, p->value.integer2);
        break;
    case MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER:
    case MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER:
        snprintf(buf, size, "%s=%u", name, p->value.integer4);
        break;
    case MQTTPROPERTY_TYPE_BINARY_DATA:
    case MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING:
        format_bytes(a, sizeof a, p->value.data.data, p->value.data.len);
        snprintf(buf, size, "%s=%s", name, a);
        break;
    case MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR:
        format_bytes(a, sizeof a, p->value.data.data, p->value.data.len);
        format_bytes(b, sizeof b, p->value.value.data, p->value.value.len);
        snprintf(buf, size, "%s=%s:%s", name, a, b);
        break;
    default:
        snprintf(buf, size, "id%d=?", p->identifier);
    }
}

void tu_print_props(const char *prefix, const MQTTProperties *props)
{
    int i;
    char buf[400];
    if (!props)
        return;
    for (i = 0; i < props->count; i++) {
        format_prop(buf, sizeof buf, &props->array[i]);
        printf("%sproperty %s\n", prefix, buf);
    }
}

void tu_format_props(char *buf, size_t size, const MQTTProperties *props)
{
    int i;
    size_t n = 0;
    buf[0] = '\0';
    if (!props)
        return;
    for (i = 0; i < props->count && n + 2 < size; i++) {
        if (i)
            n += (size_t)snprintf(buf + n, size - n, " ");
        if (n < size)
            format_prop(buf + n, size - n, &props->array[i]);
        n = strlen(buf);
    }
}
