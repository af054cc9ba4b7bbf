/* Helpers for the async API tests; see testutil_async.h. */
#define _POSIX_C_SOURCE 200809L
#include "testutil_async.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void check_library_async(void)
{
    const char *product = NULL;
    MQTTAsync_nameValue *info;

    for (info = MQTTAsync_getVersionInfo(); info && info->name; info++)
        if (strcmp(info->name, "Product name") == 0)
            product = info->value;
    tu_check_product(product);
}

/* ---- waiting --------------------------------------------------------------- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

void ta_lock(void) { pthread_mutex_lock(&lock); }

void ta_unlock_notify(void)
{
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

int ta_wait_until(int (*pred)(void *), void *arg, int timeout_ms)
{
    struct timespec deadline;
    int ok;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    while (!(ok = pred(arg)))
        if (pthread_cond_timedwait(&cond, &lock, &deadline) == ETIMEDOUT) {
            ok = pred(arg);
            break;
        }
    pthread_mutex_unlock(&lock);
    return ok;
}

/* ---- event log ----------------------------------------------------------- */

#define EV_MAX 4096
static char *ev_lines[EV_MAX];
static int ev_n;

void ta_event(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tu_log("[%lld] event: %s", tu_now_ms() % 100000, buf);
    ta_lock();
    if (ev_n < EV_MAX)
        ev_lines[ev_n++] = strdup(buf);
    ta_unlock_notify();
}

int ta_event_count(void)
{
    int n;
    ta_lock();
    n = ev_n;
    pthread_mutex_unlock(&lock);
    return n;
}

static int have_events(void *arg) { return ev_n >= *(int *)arg; }

int ta_wait_events(int n, int timeout_ms)
{
    ta_wait_until(have_events, &n, timeout_ms);
    return ta_event_count();
}

void ta_print_events(const char *prefix)
{
    int i;
    ta_lock();
    for (i = 0; i < ev_n; i++) {
        printf("%s%s\n", prefix, ev_lines[i]);
        free(ev_lines[i]);
    }
    ev_n = 0;
    pthread_mutex_unlock(&lock);
}

static size_t first_word(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ' ' && s[n] != ':')
        n++;
    return n;
}

static int word_cmp(const char *a, const char *b)
{
    size_t al = first_word(a), bl = first_word(b);
    int c = strncmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

void ta_print_events_grouped(const char *prefix)
{
    static char done[EV_MAX];
    int i, j;
    ta_lock();
    memset(done, 0, sizeof done);
    for (;;) {
        int best = -1;
        for (i = 0; i < ev_n; i++)
            if (!done[i] && (best < 0 || word_cmp(ev_lines[i], ev_lines[best]) < 0))
                best = i;
        if (best < 0)
            break;
        for (j = best; j < ev_n; j++)
            if (!done[j] && word_cmp(ev_lines[j], ev_lines[best]) == 0) {
                printf("%s%s\n", prefix, ev_lines[j]);
                done[j] = 1;
            }
    }
    for (i = 0; i < ev_n; i++)
        free(ev_lines[i]);
    ev_n = 0;
    pthread_mutex_unlock(&lock);
}

/* ---- outcomes of calls ----------------------------------------------------- */

static void done_set(ta_done *d, int state, int token, int code, int reason)
{
    ta_lock();
    d->calls++;
    d->state = state;
    d->token = token;
    d->code = code;
    d->reason = reason;
    ta_unlock_notify();
}

void ta_on_success(void *context, MQTTAsync_successData *r)
{
    ta_done *d = context;
    if (r && d->is_connect) {
        ta_lock();
        d->mqtt_version = r->alt.connect.MQTTVersion;
        d->session_present = r->alt.connect.sessionPresent;
        snprintf(d->server_uri, sizeof d->server_uri, "%s",
                 r->alt.connect.serverURI ? r->alt.connect.serverURI : "(null)");
        pthread_mutex_unlock(&lock);
    }
    done_set(d, 1, r ? r->token : -1, 0, 0);
}

void ta_on_failure(void *context, MQTTAsync_failureData *r)
{
    done_set(context, -1, r ? r->token : -1, r ? r->code : -9999, 0);
}

void ta_on_success5(void *context, MQTTAsync_successData5 *r)
{
    ta_done *d = context;
    if (r && d->is_connect) {
        ta_lock();
        d->mqtt_version = r->alt.connect.MQTTVersion;
        d->session_present = r->alt.connect.sessionPresent;
        snprintf(d->server_uri, sizeof d->server_uri, "%s",
                 r->alt.connect.serverURI ? r->alt.connect.serverURI : "(null)");
        pthread_mutex_unlock(&lock);
    }
    done_set(d, 1, r ? r->token : -1, 0, r ? (int)r->reasonCode : -1);
}

void ta_on_failure5(void *context, MQTTAsync_failureData5 *r)
{
    done_set(context, -1, r ? r->token : -1, r ? r->code : -9999, r ? (int)r->reasonCode : -1);
}

static int is_done(void *arg) { return ((ta_done *)arg)->state != 0; }

int ta_wait_done(ta_done *d, int timeout_ms)
{
    int state;
    ta_wait_until(is_done, d, timeout_ms);
    ta_lock();
    state = d->state;
    pthread_mutex_unlock(&lock);
    return state;
}

void ta_response(MQTTAsync_responseOptions *o, ta_done *d, int v5)
{
    memset(d, 0, sizeof *d);
    o->context = d;
    if (v5) {
        o->onSuccess5 = ta_on_success5;
        o->onFailure5 = ta_on_failure5;
    } else {
        o->onSuccess = ta_on_success;
        o->onFailure = ta_on_failure;
    }
}

/* ---- blocking wrappers ---------------------------------------------------- */

MQTTAsync ta_create(const char *uri, const char *tag, int mqtt_version)
{
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    int rc;
    co.MQTTVersion = mqtt_version;
    rc = MQTTAsync_createWithOptions(&c, uri, tu_client_id(tag), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (rc != MQTTASYNC_SUCCESS)
        tu_fail("MQTTAsync_createWithOptions(%s): %d", uri, rc);
    return c;
}

int ta_connect_static(MQTTAsync c, MQTTAsync_connectOptions *o, int mqtt_version, ta_done *d)
{
    MQTTAsync_connectOptions o3 = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
    int rc;
    if (!o)
        o = mqtt_version >= MQTTVERSION_5 ? &o5 : &o3;
    o->MQTTVersion = mqtt_version;
    memset(d, 0, sizeof *d);
    d->is_connect = 1;
    o->context = d;
    if (mqtt_version >= MQTTVERSION_5) {
        o->onSuccess5 = ta_on_success5;
        o->onFailure5 = ta_on_failure5;
    } else {
        o->onSuccess = ta_on_success;
        o->onFailure = ta_on_failure;
    }
    if ((rc = MQTTAsync_connect(c, o)) != MQTTASYNC_SUCCESS)
        return rc;
    if (ta_wait_done(d, 15000) == 0)
        tu_fail("connect: no onSuccess/onFailure within 15 s");
    return d->state == 1 ? 0 : (d->code ? d->code : MQTTASYNC_FAILURE);
}

int ta_connect(MQTTAsync c, MQTTAsync_connectOptions *o, int mqtt_version)
{
    ta_done d;
    int rc = ta_connect_static(c, o, mqtt_version, &d);
    if (o)
        o->context = NULL;
    return rc;
}

void ta_subscribe(MQTTAsync c, const char *topic, int qos, int v5)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_done d;
    int rc;
    ta_response(&o, &d, v5);
    if ((rc = MQTTAsync_subscribe(c, topic, qos, &o)) != MQTTASYNC_SUCCESS)
        tu_fail("subscribe %s: %d", topic, rc);
    if (ta_wait_done(&d, 10000) != 1)
        tu_fail("subscribe %s: no onSuccess (state %d code %d)", topic, d.state, d.code);
}

void ta_close(MQTTAsync *c)
{
    if (MQTTAsync_isConnected(*c)) {
        MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
        ta_done d;
        memset(&d, 0, sizeof d);
        o.context = &d;
        o.onSuccess = ta_on_success;
        o.onFailure = ta_on_failure;
        o.timeout = 1000;
        if (MQTTAsync_disconnect(*c, &o) == MQTTASYNC_SUCCESS)
            ta_wait_done(&d, 5000);
    }
    MQTTAsync_destroy(c);
}

static const char *topic_suffix(const char *topic)
{
    const char *prefix = tu_env("MQTT_TEST_TOPIC_PREFIX");
    size_t n = strlen(prefix);
    if (strncmp(topic, prefix, n) == 0 && topic[n] == '/')
        return topic + n + 1;
    return topic;
}

int ta_arrived_event(void *context, char *topic, int topic_len, MQTTAsync_message *m)
{
    char t[256];
    int len = topic_len > 0 ? topic_len : (int)strlen(topic);
    snprintf(t, sizeof t, "%.*s", len, topic);
    ta_event("%s arrived %s qos=%d retained=%d dup=%d '%.*s'", context ? (const char *)context : "client",
             topic_suffix(t), m->qos, m->retained, m->dup, m->payloadlen, (const char *)m->payload);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

long ta_proc_status(const char *field)
{
    char line[256];
    long n = -1;
    size_t len = strlen(field);
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':')
            n = atol(line + len + 1);
    fclose(f);
    return n;
}

int ta_thread_count(void)
{
    return (int)ta_proc_status("Threads");
}
