/*
 * The user persistence contract (MQTTCLIENT_PERSISTENCE_USER), synchronous
 * client, ours only. The store is an array in memory, guarded by a mutex (the
 * library calls it from its own threads too).
 *
 *  - popen gets the client id and the server URI without its scheme; pput may
 *    get several buffers (a PUBLISH comes as more than one); pget hands back a
 *    malloc'd buffer and pkeys a malloc'd array of malloc'd strings, which the
 *    library frees.
 *  - A QoS 1/2 message is in the store when publish returns. A client
 *    destroyed while the broker is stopped leaves it there; a new client in
 *    the same process on the same contents lists it as pending at create and
 *    sends it after connect, to a broker restarted empty, and the entries go.
 *  - pput failing (a full disk) makes publish return -2 and nothing is sent;
 *    QoS 0 needs no store and still goes; once pput works again so does
 *    publish.
 *  - pkeys or popen failing makes create return -2; pget failing for one
 *    entry skips that entry only.
 *  - cleansession 1 empties the store at connect and at disconnect.
 */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "MQTTClientPersistence.h"
#include "ownbroker.h"
#include "testutil.h"

#define MAXK 64
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *keys[MAXK], *vals[MAXK];
static int lens[MAXK];
static int fail_put, fail_keys, fail_open, fail_get_key_2;
static int opens, closes, clears, max_bufs, s_puts_one_buf;
static char open_id[64], open_uri[128];

static int find(const char *k)
{
    int i;
    for (i = 0; i < MAXK; i++)
        if (keys[i] && strcmp(keys[i], k) == 0)
            return i;
    return -1;
}
static void drop(int i)
{
    free(keys[i]);
    free(vals[i]);
    keys[i] = NULL;
}
static int count(void)
{
    int i, n = 0;
    pthread_mutex_lock(&mu);
    for (i = 0; i < MAXK; i++)
        n += keys[i] != NULL;
    pthread_mutex_unlock(&mu);
    return n;
}
static int has(const char *k)
{
    int r;
    pthread_mutex_lock(&mu);
    r = find(k) >= 0;
    pthread_mutex_unlock(&mu);
    return r;
}
static void clear_all(void)
{
    int i;
    pthread_mutex_lock(&mu);
    for (i = 0; i < MAXK; i++)
        if (keys[i])
            drop(i);
    pthread_mutex_unlock(&mu);
}

static int p_open(void **h, const char *id, const char *uri, void *ctx)
{
    pthread_mutex_lock(&mu);
    opens++;
    snprintf(open_id, sizeof open_id, "%s", id);
    snprintf(open_uri, sizeof open_uri, "%s", uri);
    pthread_mutex_unlock(&mu);
    if (fail_open)
        return MQTTCLIENT_PERSISTENCE_ERROR;
    *h = ctx;
    return 0;
}
static int p_close(void *h)
{
    (void)h;
    pthread_mutex_lock(&mu);
    closes++;
    pthread_mutex_unlock(&mu);
    return 0;
}
static int p_put(void *h, char *k, int n, char *b[], int l[])
{
    int i, tot = 0, at;
    (void)h;
    if (fail_put)
        return MQTTCLIENT_PERSISTENCE_ERROR;
    pthread_mutex_lock(&mu);
    if (n > max_bufs)
        max_bufs = n;
    if (n < 2 && k[0] == 's' && k[1] == '-')
        s_puts_one_buf++;
    for (i = 0; i < n; i++)
        tot += l[i];
    if ((at = find(k)) < 0) {
        for (at = 0; at < MAXK && keys[at]; at++)
            ;
        if (at == MAXK) {
            pthread_mutex_unlock(&mu);
            return MQTTCLIENT_PERSISTENCE_ERROR;
        }
        keys[at] = strdup(k);
    } else
        free(vals[at]);
    vals[at] = malloc(tot ? tot : 1);
    lens[at] = tot;
    for (tot = 0, i = 0; i < n; i++) {
        memcpy(vals[at] + tot, b[i], l[i]);
        tot += l[i];
    }
    pthread_mutex_unlock(&mu);
    return 0;
}
static int p_get(void *h, char *k, char **b, int *l)
{
    int at, rc = MQTTCLIENT_PERSISTENCE_ERROR;
    (void)h;
    if (fail_get_key_2 && strcmp(k, "s-2") == 0)
        return MQTTCLIENT_PERSISTENCE_ERROR;
    pthread_mutex_lock(&mu);
    if ((at = find(k)) >= 0) {
        *b = malloc(lens[at] ? lens[at] : 1); /* the library frees it */
        memcpy(*b, vals[at], lens[at]);
        *l = lens[at];
        rc = 0;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}
static int p_remove(void *h, char *k)
{
    int at;
    (void)h;
    pthread_mutex_lock(&mu);
    if ((at = find(k)) >= 0)
        drop(at);
    pthread_mutex_unlock(&mu);
    return 0;
}
static int p_keys(void *h, char ***k, int *n)
{
    int i, c = 0;
    (void)h;
    *k = NULL;
    *n = 0;
    if (fail_keys)
        return MQTTCLIENT_PERSISTENCE_ERROR;
    pthread_mutex_lock(&mu);
    for (i = 0; i < MAXK; i++)
        c += keys[i] != NULL;
    if (c) {
        *k = malloc(sizeof(char *) * c); /* the library frees the array and each key */
        for (c = 0, i = 0; i < MAXK; i++)
            if (keys[i])
                (*k)[c++] = strdup(keys[i]);
    }
    *n = c;
    pthread_mutex_unlock(&mu);
    return 0;
}
static int p_clear(void *h)
{
    (void)h;
    pthread_mutex_lock(&mu);
    clears++;
    pthread_mutex_unlock(&mu);
    clear_all();
    return 0;
}
static int p_containskey(void *h, char *k)
{
    (void)h;
    return has(k) ? 0 : MQTTCLIENT_PERSISTENCE_ERROR;
}

static MQTTClient_persistence table = { (void *)1, p_open, p_close, p_put, p_get, p_remove, p_keys, p_clear, p_containskey };

static void expect_pending(MQTTClient c, const int *want, int n, const char *when)
{
    MQTTClient_deliveryToken *t = NULL;
    int i;
    MQTTClient_getPendingDeliveryTokens(c, &t);
    for (i = 0; i < n; i++)
        if (!t || t[i] != want[i])
            tu_fail("%s: pending token %d is %d, expected %d", when, i, t ? t[i] : -1, want[i]);
    if (n ? t[n] != -1 : t != NULL && t[0] != -1)
        tu_fail("%s: more pending tokens than expected", when);
    MQTTClient_free(t);
}

/* The payloads the subscriber gets until 700 ms pass with none, joined with ','. */
static void received(tu_sub *s, char *out, size_t size, int first_wait_ms)
{
    MQTTClient_message *m;
    char *topic;
    out[0] = '\0';
    while ((m = tu_sub_next(s, out[0] ? 700 : first_wait_ms, &topic)) != NULL) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%.*s", len ? "," : "", m->payloadlen, (char *)m->payload);
        MQTTClient_freeMessage(&m);
        MQTTClient_free(topic);
    }
}

static void restart_in_same_process(void)
{
    tb_broker b;
    MQTTClient c;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt1 = 0, dt2 = 0;
    const char *topic = tu_topic("restart");
    char id[32], got[256], expect_uri[64];
    static const int both[] = { 1, 2 };
    tu_sub *s;
    int rc;

    tu_step("restart: first client");
    memset(&b, 0, sizeof b);
    tb_start(&b);
    snprintf(id, sizeof id, "%s", tu_client_id("restart"));
    TU_EXPECT_RC(MQTTClient_create(&c, b.uri, id, MQTTCLIENT_PERSISTENCE_USER, &table), MQTTCLIENT_SUCCESS);
    snprintf(expect_uri, sizeof expect_uri, "127.0.0.1:%d", b.port);
    if (opens != 1 || strcmp(open_id, id) != 0 || strcmp(open_uri, expect_uri) != 0)
        tu_fail("popen got (%s, %s), expected (%s, %s)", open_id, open_uri, id, expect_uri);
    o.cleansession = 0;
    o.reliable = 0;
    TU_EXPECT_RC(MQTTClient_connect(c, &o), MQTTCLIENT_SUCCESS);
    /* No acknowledgement will come: the broker is stopped, then killed. */
    kill(b.pid, SIGSTOP);
    TU_EXPECT_RC(MQTTClient_publish(c, topic, 2, "u1", 1, 0, &dt1), MQTTCLIENT_SUCCESS);
    if (!has("s-1"))
        tu_fail("QoS 1 message not in the store when publish returned");
    TU_EXPECT_RC(MQTTClient_publish(c, topic, 2, "u2", 2, 0, &dt2), MQTTCLIENT_SUCCESS);
    if (!has("s-2"))
        tu_fail("QoS 2 message not in the store when publish returned");
    if (dt1 != 1 || dt2 != 2)
        tu_fail("tokens %d %d, expected 1 2", dt1, dt2);
    if (max_bufs < 2 || s_puts_one_buf)
        tu_fail("a PUBLISH came to pput in %d buffer(s)", max_bufs);
    tb_stop(&b, 1);
    MQTTClient_destroy(&c);
    if (closes != 1)
        tu_fail("pclose called %d times at destroy", closes);
    if (!has("s-1") || !has("s-2") || count() != 2)
        tu_fail("destroy changed the store (%d entries)", count());
    printf("restart: s-1 and s-2 stored, kept after destroy\n");

    tu_step("restart: second client");
    tb_start(&b);
    s = tu_sub_open(b.uri, topic, 2);
    TU_EXPECT_RC(MQTTClient_create(&c, b.uri, id, MQTTCLIENT_PERSISTENCE_USER, &table), MQTTCLIENT_SUCCESS);
    expect_pending(c, both, 2, "after create");
    rc = MQTTClient_connect(c, &o);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("connect: %d", rc);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, 1, 5000), MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, 2, 5000), MQTTCLIENT_SUCCESS);
    received(s, got, sizeof got, 5000);
    /* QoS 1 and 2 may cross at the broker (QoS 2 goes on at PUBREL). */
    if (strcmp(got, "u1,u2") != 0 && strcmp(got, "u2,u1") != 0)
        tu_fail("the subscriber got [%s], expected u1 and u2 once each", got);
    expect_pending(c, NULL, 0, "after completion");
    if (count() != 0)
        tu_fail("%d entries left after completion", count());
    printf("restart: both resent after create from the same store, delivered, entries removed\n");
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    tu_sub_close(s);
    tb_stop(&b, 0);
}

static void full_disk(void)
{
    MQTTClient c;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt = 0;
    const char *uri = tu_env("MQTT_TEST_URI"), *topic = tu_topic("full");
    char got[256];
    tu_sub *s;

    tu_step("full disk");
    s = tu_sub_open(uri, topic, 2);
    TU_EXPECT_RC(MQTTClient_create(&c, uri, tu_client_id("full"), MQTTCLIENT_PERSISTENCE_USER, &table), MQTTCLIENT_SUCCESS);
    o.cleansession = 0;
    TU_EXPECT_RC(MQTTClient_connect(c, &o), MQTTCLIENT_SUCCESS);
    fail_put = 1;
    TU_EXPECT_RC(MQTTClient_publish(c, topic, 5, "lost1", 1, 0, &dt), MQTTCLIENT_PERSISTENCE_ERROR);
    TU_EXPECT_RC(MQTTClient_publish(c, topic, 5, "lost2", 2, 0, &dt), MQTTCLIENT_PERSISTENCE_ERROR);
    TU_EXPECT_RC(MQTTClient_publish(c, topic, 4, "qos0", 0, 0, &dt), MQTTCLIENT_SUCCESS);
    expect_pending(c, NULL, 0, "after refused publishes");
    if (!MQTTClient_isConnected(c))
        tu_fail("a refused publish cost the connection");
    fail_put = 0;
    TU_EXPECT_RC(MQTTClient_publish(c, topic, 4, "next", 1, 0, &dt), MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, 5000), MQTTCLIENT_SUCCESS);
    received(s, got, sizeof got, 5000);
    if (strcmp(got, "qos0,next") != 0)
        tu_fail("the subscriber got [%s], expected qos0,next", got);
    printf("full disk: publish QoS 1/2 -> -2, nothing sent; QoS 0 and the next QoS 1 delivered\n");
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    tu_sub_close(s);
    clear_all();
}

static void failing_create(void)
{
    MQTTClient c = NULL;
    const char *uri = tu_env("MQTT_TEST_URI");
    static const int one[] = { 1 };
    unsigned char rec[] = { 0x32, 9, 0, 3, 'a', '/', 'b', 0, 1, 'h', 'i' };
    char *b[1];
    int l[1];

    tu_step("failing create");
    fail_keys = 1;
    TU_EXPECT_RC(MQTTClient_create(&c, uri, tu_client_id("keys"), MQTTCLIENT_PERSISTENCE_USER, &table),
                 MQTTCLIENT_PERSISTENCE_ERROR);
    fail_keys = 0;
    fail_open = 1;
    TU_EXPECT_RC(MQTTClient_create(&c, uri, tu_client_id("open"), MQTTCLIENT_PERSISTENCE_USER, &table),
                 MQTTCLIENT_PERSISTENCE_ERROR);
    fail_open = 0;
    printf("pkeys or popen failing: create -2\n");

    /* Two stored messages, the second unreadable: only the first is restored. */
    b[0] = (char *)rec;
    l[0] = (int)sizeof rec;
    p_put(NULL, "s-1", 1, b, l);
    rec[8] = 2;
    p_put(NULL, "s-2", 1, b, l);
    fail_get_key_2 = 1;
    TU_EXPECT_RC(MQTTClient_create(&c, uri, tu_client_id("get"), MQTTCLIENT_PERSISTENCE_USER, &table),
                 MQTTCLIENT_SUCCESS);
    fail_get_key_2 = 0;
    expect_pending(c, one, 1, "pget failing for s-2");
    MQTTClient_destroy(&c);
    clear_all();
    printf("pget failing for one entry: that entry skipped\n");
}

static void clean_session(void)
{
    MQTTClient c;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;
    unsigned char rec[] = { 0x32, 9, 0, 3, 'a', '/', 'b', 0, 1, 'h', 'i' };
    char *b[1];
    int l[1], before;

    tu_step("clean session");
    b[0] = (char *)rec;
    l[0] = (int)sizeof rec;
    p_put(NULL, "s-1", 1, b, l);
    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("clean"), MQTTCLIENT_PERSISTENCE_USER, &table),
                 MQTTCLIENT_SUCCESS);
    before = clears;
    o.cleansession = 1;
    TU_EXPECT_RC(MQTTClient_connect(c, &o), MQTTCLIENT_SUCCESS);
    if (clears == before || count() != 0)
        tu_fail("connect with cleansession 1 did not empty the store");
    expect_pending(c, NULL, 0, "after a clean connect");
    TU_EXPECT_RC(MQTTClient_publish(c, tu_topic("clean"), 1, "x", 1, 0, &dt), MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, 5000), MQTTCLIENT_SUCCESS);
    before = clears;
    TU_EXPECT_RC(MQTTClient_disconnect(c, 1000), MQTTCLIENT_SUCCESS);
    if (clears == before)
        tu_fail("disconnect of a clean session did not empty the store");
    MQTTClient_destroy(&c);
    printf("cleansession 1: store emptied at connect and at disconnect\n");
}

int main(void)
{
    check_library();
    tu_watchdog(50);
    restart_in_same_process();
    full_disk();
    failing_create();
    clean_session();
    return 0;
}
