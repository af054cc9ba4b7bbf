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
    alarm(seconds);
}

int tu_is_ours(void)
{
    return strcmp(tu_env("MQTT_TEST_EXPECT"), "ours") == 0;
}

void check_library(void)
{
    const char *expect = tu_env("MQTT_TEST_EXPECT");
    const char *product = NULL;
    MQTTClient_nameValue *info;
    int ours;

    setvbuf(stdout, NULL, _IOLBF, 0);
    tu_watchdog(TU_DEFAULT_WATCHDOG);

    if (strcmp(expect, "ours") != 0 && strcmp(expect, "paho") != 0) {
        fprintf(stderr, "ERROR: MQTT_TEST_EXPECT must be ours or paho, not '%s'\n", expect);
        exit(2);
    }
    for (info = MQTTClient_getVersionInfo(); info && info->name; info++)
        if (strcmp(info->name, "Product name") == 0)
            product = info->value;
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

struct tu_sub {
    MQTTClient client;
};

tu_sub *tu_sub_open(const char *uri, const char *topic, int qos)
{
    MQTTClient_connectOptions opts = MQTTClient_connectOptions_initializer;
    tu_sub *s = calloc(1, sizeof *s);
    int rc;

    if (!s)
        tu_fail("out of memory");
    rc = MQTTClient_create(&s->client, uri, tu_client_id("sub"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("subscriber create: %d", rc);
    opts.cleansession = 1;
    opts.keepAliveInterval = 20;
    if ((rc = MQTTClient_connect(s->client, &opts)) != MQTTCLIENT_SUCCESS)
        tu_fail("subscriber connect: %d", rc);
    if ((rc = MQTTClient_subscribe(s->client, topic, qos)) != MQTTCLIENT_SUCCESS)
        tu_fail("subscriber subscribe %s: %d", topic, rc);
    return s;
}

MQTTClient_message *tu_sub_next(tu_sub *s, int timeout_ms, char **topic)
{
    MQTTClient_message *msg = NULL;
    long long deadline = tu_now_ms() + timeout_ms;
    int len = 0, rc;

    *topic = NULL;
    /* receive may return success with no message when it woke for another
     * reason, so keep going until the deadline. */
    do {
        long long left = deadline - tu_now_ms();
        rc = MQTTClient_receive(s->client, topic, &len, &msg, left > 0 ? (unsigned long)left : 0);
        if (rc != MQTTCLIENT_SUCCESS && rc != MQTTCLIENT_TOPICNAME_TRUNCATED)
            tu_fail("subscriber receive: %d", rc);
    } while (!msg && tu_now_ms() < deadline);
    return msg;
}

void tu_sub_close(tu_sub *s)
{
    MQTTClient_disconnect(s->client, 1000);
    MQTTClient_destroy(&s->client);
    free(s);
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
