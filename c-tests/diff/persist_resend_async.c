/*
 * The asynchronous client and what it reads back from its store (differential):
 * a user persistence (MQTTCLIENT_PERSISTENCE_USER) holds a QoS 1 and a QoS 2
 * PUBLISH record as Paho writes them (s-1, s-2). getPendingTokens lists them;
 * a connect with cleansession 0 sends them again when the server has the
 * session (session present 1), with deliveryComplete for each, and discards
 * them when it has not (session present 0): Paho's asynchronous client does
 * that (its synchronous client resends: diff/persist_resend).
 */
// link: paho-mqtt3a
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "MQTTClientPersistence.h"
#include "testutil_async.h"

#define MAXK 16
static char *keys[MAXK], *vals[MAXK];
static int lens[MAXK];

static int find(const char *k)
{
    int i;
    for (i = 0; i < MAXK; i++)
        if (keys[i] && strcmp(keys[i], k) == 0)
            return i;
    return -1;
}
static void set(const char *k, const void *v, int n)
{
    int at = find(k);
    if (at < 0) {
        for (at = 0; at < MAXK && keys[at]; at++)
            ;
        if (at == MAXK)
            tu_fail("store full");
        keys[at] = strdup(k);
    } else
        free(vals[at]);
    vals[at] = malloc(n ? n : 1);
    memcpy(vals[at], v, n);
    lens[at] = n;
}
static void drop(int at)
{
    free(keys[at]);
    free(vals[at]);
    keys[at] = NULL;
}
/* The library may call the store from its threads while the test reads it. */
static int p_open(void **h, const char *id, const char *uri, void *ctx) { (void)id; (void)uri; *h = ctx; return 0; }
static int p_close(void *h) { (void)h; return 0; }
static int p_put(void *h, char *k, int n, char *b[], int l[])
{
    char buf[1024];
    int i, tot = 0;
    (void)h;
    for (i = 0; i < n; i++) {
        if (tot + l[i] > (int)sizeof buf)
            return MQTTCLIENT_PERSISTENCE_ERROR;
        memcpy(buf + tot, b[i], l[i]);
        tot += l[i];
    }
    ta_lock();
    set(k, buf, tot);
    ta_unlock_notify();
    return 0;
}
static int p_get(void *h, char *k, char **b, int *l)
{
    int at, rc = MQTTCLIENT_PERSISTENCE_ERROR;
    (void)h;
    ta_lock();
    if ((at = find(k)) >= 0) {
        *b = malloc(lens[at] ? lens[at] : 1);
        memcpy(*b, vals[at], lens[at]);
        *l = lens[at];
        rc = 0;
    }
    ta_unlock_notify();
    return rc;
}
static int p_remove(void *h, char *k)
{
    int at;
    (void)h;
    ta_lock();
    if ((at = find(k)) >= 0)
        drop(at);
    ta_unlock_notify();
    return 0;
}
static int p_keys(void *h, char ***k, int *n)
{
    int i, c = 0;
    (void)h;
    ta_lock();
    for (i = 0; i < MAXK; i++)
        c += keys[i] != NULL;
    *n = c;
    *k = c ? malloc(sizeof(char *) * c) : NULL;
    for (c = 0, i = 0; i < MAXK; i++)
        if (keys[i])
            (*k)[c++] = strdup(keys[i]);
    ta_unlock_notify();
    return 0;
}
static int p_clear(void *h)
{
    int i;
    (void)h;
    ta_lock();
    for (i = 0; i < MAXK; i++)
        if (keys[i])
            drop(i);
    ta_unlock_notify();
    return 0;
}
static int p_containskey(void *h, char *k)
{
    int r;
    (void)h;
    ta_lock();
    r = find(k) < 0 ? MQTTCLIENT_PERSISTENCE_ERROR : 0;
    ta_unlock_notify();
    return r;
}
static MQTTClient_persistence table = { (void *)1, p_open, p_close, p_put, p_get, p_remove, p_keys, p_clear, p_containskey };

static void put_publish(int qos, int id, const char *topic, const char *payload)
{
    unsigned char rec[256];
    char key[16];
    int tl = (int)strlen(topic), pl = (int)strlen(payload), i = 0;
    rec[i++] = (unsigned char)(0x30 | qos << 1);
    rec[i++] = (unsigned char)(2 + tl + 2 + pl);
    rec[i++] = 0;
    rec[i++] = (unsigned char)tl;
    memcpy(rec + i, topic, tl);
    i += tl;
    rec[i++] = (unsigned char)(id >> 8);
    rec[i++] = (unsigned char)id;
    memcpy(rec + i, payload, pl);
    i += pl;
    snprintf(key, sizeof key, "s-%d", id);
    set(key, rec, i);
}

/* Our entries still in the store (the library's own other keys, if any, not shown). */
static void print_left(void)
{
    int i, n = 0;
    ta_lock();
    printf("  entries left:");
    for (i = 0; i < MAXK; i++)
        if (keys[i] && keys[i][0] == 's') {
            printf(" %s", keys[i]);
            n++;
        }
    printf("%s\n", n ? "" : " none");
    for (i = 0; i < MAXK; i++)
        if (keys[i])
            drop(i);
    ta_unlock_notify();
}

static void delivered(void *ctx, MQTTAsync_token t)
{
    (void)ctx;
    ta_event("restored deliveryComplete %d", t);
}

static void run(int session)
{
    const char *uri = tu_env("MQTT_TEST_URI"), *name = session ? "has" : "lacks";
    const char *topic = tu_topic(name);
    char id[32];
    MQTTAsync c, sub;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_token *toks = NULL;
    int i;

    printf("%s: server %s the session\n", name, session ? "has" : "lacks");
    tu_step(name);
    snprintf(id, sizeof id, "%s", tu_client_id(name));
    if (session) {
        if (MQTTAsync_create(&c, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL) != 0)
            tu_fail("create");
        o.cleansession = 0;
        if (ta_connect(c, &o, MQTTVERSION_3_1_1) != 0)
            tu_fail("prime");
        ta_close(&c);
    }
    sub = ta_create(uri, "sub", MQTTVERSION_3_1_1);
    MQTTAsync_setCallbacks(sub, "subscriber", NULL, ta_arrived_event, NULL);
    if (ta_connect(sub, NULL, MQTTVERSION_3_1_1) != 0)
        tu_fail("subscriber connect");
    ta_subscribe(sub, topic, 2, 0);

    put_publish(1, 1, topic, "first");
    put_publish(2, 2, topic, "second");
    printf("  create: %d\n", MQTTAsync_create(&c, uri, id, MQTTCLIENT_PERSISTENCE_USER, &table));
    MQTTAsync_setCallbacks(c, NULL, NULL, ta_arrived_event, delivered);
    MQTTAsync_getPendingTokens(c, &toks);
    printf("  pending:");
    for (i = 0; toks && toks[i] != -1; i++)
        printf(" %d", toks[i]);
    printf("%s\n", toks && toks[0] != -1 ? "" : " none");
    MQTTAsync_free(toks);
    o.cleansession = 0;
    printf("  connect: %d\n", ta_connect(c, &o, MQTTVERSION_3_1_1));
    ta_wait_events(session ? 4 : 1, session ? 5000 : 1000);
    tu_sleep_ms(500);
    ta_print_events_grouped("  ");
    toks = NULL;
    MQTTAsync_getPendingTokens(c, &toks);
    printf("  pending after: %s\n", toks && toks[0] != -1 ? "some" : "none");
    MQTTAsync_free(toks);
    ta_close(&c);
    ta_close(&sub);
    print_left();
}

int main(void)
{
    check_library_async();
    run(0);
    run(1);
    return 0;
}
