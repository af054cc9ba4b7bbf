/*
 * The trace levels filter, and the trace callback may call the API (ours only: Paho prints
 * its banner at MINIMUM whatever the level, and its callback runs under its own lock).
 *
 * 1. MQTTClient_setTraceLevel(L) for each L from MAXIMUM to FATAL, one session each
 *    (create, connect, subscribe, publish at QoS 1 to itself, messageArrived, disconnect,
 *    destroy): no line below L; more lines at MAXIMUM than MEDIUM than MINIMUM than
 *    PROTOCOL; each kind of line (I/O at MAXIMUM, API calls and callbacks at MEDIUM, steps
 *    at MINIMUM, packets at PROTOCOL) appears exactly at its level and below.
 * 2. MQTT_C_CLIENT_TRACE_LEVEL: read once per process, so each level runs in a child
 *    process (this program again, with "env-child"); the callback alone (no setTraceLevel)
 *    gets lines at the environment's level and above, and MQTT_C_CLIENT_TRACE=<file> the
 *    same lines.
 * 3. A callback that calls setTraceLevel, isConnected and getPendingDeliveryTokens on the
 *    client being traced, once publish + waitForCompletion, and at the end removes itself
 *    with setTraceCallback(NULL): no deadlock (the watchdog), never re-entered on a thread,
 *    and nothing delivered after it removed itself.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "testutil.h"

/* Kinds of lines, by what they say. */
enum { K_IO, K_API, K_CALLBACK, K_STEP, K_PACKET, K_COUNT };
static const char *kind_names[K_COUNT] = {"I/O", "API call", "callback", "step", "packet"};
/* The level each kind is traced at. */
static const int kind_level[K_COUNT] = {1, 2, 2, 3, 4};

static int kind_of(const char *m)
{
    if (strstr(m, "socket ") && (strstr(m, ": read ") || strstr(m, ": write of ")))
        return K_IO;
    if (strstr(m, "MQTTClient_connect called"))
        return K_API;
    if (strstr(m, "message arrived callback starts"))
        return K_CALLBACK;
    if (strstr(m, ": connecting to "))
        return K_STEP;
    if (strstr(m, " -> CONNECT"))
        return K_PACKET;
    return -1;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int counts[8];     /* lines seen by level */
static int kinds[K_COUNT]; /* lines seen by kind */
static int bad_levels;     /* lines with a level outside 1..7 */

static void reset(void)
{
    pthread_mutex_lock(&lock);
    memset(counts, 0, sizeof counts);
    memset(kinds, 0, sizeof kinds);
    bad_levels = 0;
    pthread_mutex_unlock(&lock);
}

static void count_line(int level, const char *m)
{
    int k = kind_of(m);
    pthread_mutex_lock(&lock);
    if (level >= 1 && level <= 7)
        counts[level]++;
    else
        bad_levels++;
    if (k >= 0)
        kinds[k]++;
    pthread_mutex_unlock(&lock);
}

static void on_trace(enum MQTTCLIENT_TRACE_LEVELS level, char *message)
{
    count_line((int)level, message);
}

/* Counted on the callback thread, polled by the main thread: under a lock of its own (a trace
 * callback below holds `lock` across API calls). */
static pthread_mutex_t arrived_lock = PTHREAD_MUTEX_INITIALIZER;
static int arrived_n;

static int arrived_count(void)
{
    int n;
    pthread_mutex_lock(&arrived_lock);
    n = arrived_n;
    pthread_mutex_unlock(&arrived_lock);
    return n;
}

static int arrived(void *ctx, char *topic, int len, MQTTClient_message *m)
{
    (void)ctx;
    (void)len;
    pthread_mutex_lock(&arrived_lock);
    arrived_n++;
    pthread_mutex_unlock(&arrived_lock);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

/* The session each level is measured with; `hold` gets the client while it exists. */
static void session(const char *tag, MQTTClient *hold)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt = 0;
    int i;
    pthread_mutex_lock(&arrived_lock);
    arrived_n = 0;
    pthread_mutex_unlock(&arrived_lock);
    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id(tag), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(c, NULL, NULL, arrived, NULL), 0);
    if (hold) {
        pthread_mutex_lock(&lock);
        *hold = c;
        pthread_mutex_unlock(&lock);
    }
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(c, tu_topic(tag), 1), 0);
    TU_EXPECT_RC(MQTTClient_publish(c, tu_topic(tag), 5, "hello", 1, 0, &dt), 0);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, 5000), 0);
    for (i = 0; i < 500 && arrived_count() == 0; i++)
        tu_sleep_ms(10);
    TU_ASSERT(arrived_count() == 1);
    TU_EXPECT_RC(MQTTClient_disconnect(c, 1000), 0);
    if (hold) {
        pthread_mutex_lock(&lock);
        *hold = NULL;
        pthread_mutex_unlock(&lock);
    }
    MQTTClient_destroy(&c);
}

static int total_from(int level)
{
    int n = 0, l;
    for (l = level; l <= 7; l++)
        n += counts[l];
    return n;
}

/* What a run at `level` must have seen: no line below it, each kind at or above it. */
static void check_filtered(const char *how, int level)
{
    int l, k;
    pthread_mutex_lock(&lock);
    if (bad_levels)
        tu_fail("%s %d: %d lines with a level outside 1..7", how, level, bad_levels);
    for (l = 1; l < level; l++)
        if (counts[l])
            tu_fail("%s %d: %d lines at level %d", how, level, counts[l], l);
    for (k = 0; k < K_COUNT; k++) {
        if (kind_level[k] >= level && kinds[k] == 0)
            tu_fail("%s %d: no %s line", how, level, kind_names[k]);
        if (kind_level[k] < level && kinds[k] != 0)
            tu_fail("%s %d: %d %s lines", how, level, kinds[k], kind_names[k]);
    }
    pthread_mutex_unlock(&lock);
}

/* --- 2: the environment, in a child process ---------------------------------------------- */

static int env_child(void)
{
    int l;
    MQTTClient_setTraceCallback(on_trace);
    session("envlvl", NULL);
    MQTTClient_setTraceCallback(NULL);
    printf("counts");
    for (l = 1; l <= 7; l++)
        printf(" %d", counts[l]);
    for (l = 0; l < K_COUNT; l++)
        printf(" %d", kinds[l]);
    printf(" %d\n", bad_levels);
    return 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;
    if (!f)
        tu_fail("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        tu_fail("cannot read %s", path);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void env_levels(const char *self)
{
    static const char *names[] = {NULL, "MAXIMUM", "MEDIUM", "MINIMUM", "PROTOCOL", "ERROR", "SEVERE", "FATAL"};
    const char *tmp = tu_env("MQTT_TEST_TMPDIR");
    int level, prev_total = -1;
    for (level = 7; level >= 1; level--) {
        char cmd[4096], file[2048], out[512];
        char *text;
        FILE *p;
        int got;
        snprintf(file, sizeof file, "%s/trace-%s.log", tmp, names[level]);
        unlink(file);
        snprintf(cmd, sizeof cmd, "MQTT_C_CLIENT_TRACE_LEVEL=%s MQTT_C_CLIENT_TRACE='%s' '%s' env-child",
                 names[level], file, self);
        p = popen(cmd, "r");
        if (!p || !fgets(out, sizeof out, p))
            tu_fail("%s: the child printed nothing", names[level]);
        if (pclose(p) != 0)
            tu_fail("%s: the child failed", names[level]);
        reset();
        pthread_mutex_lock(&lock);
        got = sscanf(out, "counts %d %d %d %d %d %d %d %d %d %d %d %d %d", &counts[1], &counts[2], &counts[3],
                     &counts[4], &counts[5], &counts[6], &counts[7], &kinds[0], &kinds[1], &kinds[2], &kinds[3],
                     &kinds[4], &bad_levels);
        pthread_mutex_unlock(&lock);
        if (got != 13)
            tu_fail("%s: the child printed '%s'", names[level], out);
        check_filtered("MQTT_C_CLIENT_TRACE_LEVEL", level);
        if (total_from(1) < prev_total)
            tu_fail("%s: %d lines, fewer than the level above gave (%d)", names[level], total_from(1), prev_total);
        prev_total = total_from(1);
        /* The file gets the same lines (without their level). */
        text = read_file(file);
        if ((level <= 4) != (strstr(text, " -> CONNECT") != NULL))
            tu_fail("%s: CONNECT line %s in %s", names[level], level <= 4 ? "missing" : "present", file);
        if ((level <= 2) != (strstr(text, "MQTTClient_connect called") != NULL))
            tu_fail("%s: API line %s in %s", names[level], level <= 2 ? "missing" : "present", file);
        if ((level <= 3) != (strstr(text, "trace of paho-mqtt-c-rs") != NULL))
            tu_fail("%s: banner %s in %s", names[level], level <= 3 ? "missing" : "present", file);
        free(text);
        printf("MQTT_C_CLIENT_TRACE_LEVEL=%s: %d lines, file too: ok\n", names[level], total_from(1));
    }
}

/* --- 3: a callback that calls the API ------------------------------------------------------ */

static MQTTClient traced_client;
static __thread int depth;
static int reentered, calls, calls_after_removal, removed, api_calls;
static int cb_pub_rc = 99, cb_wait_rc = 99, cb_published;

static void api_calling_trace(enum MQTTCLIENT_TRACE_LEVELS level, char *message)
{
    MQTTClient c;
    (void)level;
    if (++depth > 1)
        reentered = 1;
    pthread_mutex_lock(&lock);
    calls++;
    if (removed)
        calls_after_removal++;
    c = traced_client;
    /* The client's own lock is in use all around these lines: calls on it must not block. */
    if (c) {
        MQTTClient_deliveryToken *toks = NULL;
        (void)MQTTClient_isConnected(c);
        if (MQTTClient_getPendingDeliveryTokens(c, &toks) == MQTTCLIENT_SUCCESS && toks)
            MQTTClient_free(toks);
        api_calls++;
        if (!cb_published && strstr(message, ": connected (MQTT version")) {
            MQTTClient_deliveryToken dt = 0;
            cb_published = 1;
            cb_pub_rc = MQTTClient_publish(c, tu_topic("fromtrace"), 4, "cb!!", 1, 0, &dt);
            cb_wait_rc = MQTTClient_waitForCompletion(c, dt, 5000);
        }
    }
    pthread_mutex_unlock(&lock);
    MQTTClient_setTraceLevel(MQTTCLIENT_TRACE_MEDIUM);
    (void)MQTTClient_getVersionInfo();
    if (strstr(message, "client destroyed")) {
        MQTTClient_setTraceCallback(NULL);
        removed = 1;
    }
    depth--;
}

static void api_in_callback(void)
{
    tu_step("a trace callback that calls the API");
    MQTTClient_setTraceLevel(MQTTCLIENT_TRACE_MEDIUM);
    MQTTClient_setTraceCallback(api_calling_trace);
    session("apicb", &traced_client);
    if (reentered)
        tu_fail("the trace callback was re-entered");
    if (!removed)
        tu_fail("no 'client destroyed' line reached the callback");
    TU_EXPECT_RC(cb_pub_rc, MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(cb_wait_rc, MQTTCLIENT_SUCCESS);
    if (api_calls == 0)
        tu_fail("the callback never had a client to call");
    /* After it removed itself: another session, no more calls. */
    session("after", NULL);
    if (calls_after_removal)
        tu_fail("%d lines delivered after setTraceCallback(NULL)", calls_after_removal);
    printf("callback calling the API: %d calls, %d with the client, publish from the callback: ok\n", calls,
           api_calls);
}

int main(int argc, char **argv)
{
    static const char *names[] = {NULL, "MAXIMUM", "MEDIUM", "MINIMUM", "PROTOCOL", "ERROR", "SEVERE", "FATAL"};
    char self[2048];
    ssize_t n;
    int level, totals[8];

    if (argc > 1 && strcmp(argv[1], "env-child") == 0) {
        tu_watchdog(20);
        return env_child();
    }
    check_library();
    tu_watchdog(50);
    if (!tu_is_ours()) {
        printf("SKIP: ours only\n");
        return 77;
    }

    /* 1: setTraceLevel */
    MQTTClient_setTraceCallback(on_trace);
    for (level = 1; level <= 7; level++) {
        tu_step(names[level]);
        reset();
        MQTTClient_setTraceLevel((enum MQTTCLIENT_TRACE_LEVELS)level);
        session("lvl", NULL);
        check_filtered("setTraceLevel", level);
        totals[level] = total_from(1);
        printf("setTraceLevel %s: %d lines\n", names[level], totals[level]);
    }
    MQTTClient_setTraceCallback(NULL);
    if (!(totals[1] > totals[2] && totals[2] > totals[3] && totals[3] > totals[4]))
        tu_fail("lines at MAXIMUM %d, MEDIUM %d, MINIMUM %d, PROTOCOL %d: not each more than the next", totals[1],
                totals[2], totals[3], totals[4]);

    /* 2: the environment */
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        tu_fail("readlink /proc/self/exe");
    self[n] = 0;
    env_levels(self);

    /* 3 */
    api_in_callback();
    printf("PASS\n");
    return 0;
}
