/*
 * The synchronous client sends again what it had not got acknowledged, both
 * what it read back from its store at create and what it held in memory,
 * whether or not the server kept the session (differential).
 *
 * Restored: a user persistence (MQTTCLIENT_PERSISTENCE_USER) holds PUBLISH
 * records as Paho writes them (s-<id> / s5-<id>: the packet as on the wire,
 * no DUP), optionally with the PUBREL stage (sc-<id>). create lists them as
 * pending tokens; connect with cleansession 0 sends them, to a server that
 * knows the client id (session present 1) or not (0): Paho's synchronous
 * client resends in both cases (its asynchronous client discards at 0; see
 * diff/persist_resend_async). A subscriber prints what arrives.
 *
 * In memory: QoS 1 and 2 published while the test's own broker is stopped
 * (SIGSTOP), then the broker is killed and started again empty; the next
 * connect (session present 0) sends them again.
 */
#define _XOPEN_SOURCE 700
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "MQTTClientPersistence.h"
#include "ownbroker.h"
#include "testutil.h"

/* ---- an in-memory user store ---- */
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
    set(k, buf, tot);
    return 0;
}
static int p_get(void *h, char *k, char **b, int *l)
{
    int at = find(k);
    (void)h;
    if (at < 0)
        return MQTTCLIENT_PERSISTENCE_ERROR;
    *b = malloc(lens[at] ? lens[at] : 1);
    memcpy(*b, vals[at], lens[at]);
    *l = lens[at];
    return 0;
}
static int p_remove(void *h, char *k)
{
    int at = find(k);
    (void)h;
    if (at >= 0)
        drop(at);
    return 0;
}
static int p_keys(void *h, char ***k, int *n)
{
    int i, c = 0;
    (void)h;
    for (i = 0; i < MAXK; i++)
        c += keys[i] != NULL;
    *n = c;
    *k = c ? malloc(sizeof(char *) * c) : NULL;
    for (c = 0, i = 0; i < MAXK; i++)
        if (keys[i])
            (*k)[c++] = strdup(keys[i]);
    return 0;
}
static int p_clear(void *h)
{
    int i;
    (void)h;
    for (i = 0; i < MAXK; i++)
        if (keys[i])
            drop(i);
    return 0;
}
static int p_containskey(void *h, char *k) { (void)h; return find(k) < 0 ? MQTTCLIENT_PERSISTENCE_ERROR : 0; }
static MQTTClient_persistence table = { (void *)1, p_open, p_close, p_put, p_get, p_remove, p_keys, p_clear, p_containskey };

static void print_left(void)
{
    int i, n = 0;
    printf("  entries left:");
    for (i = 0; i < MAXK; i++)
        if (keys[i]) {
            printf(" %s", keys[i]);
            n++;
        }
    printf("%s\n", n ? "" : " none");
}

/* A PUBLISH record as Paho stores it. */
static void put_publish(int v5, int qos, int id, const char *topic, const char *payload)
{
    unsigned char rec[256];
    char key[16];
    int tl = (int)strlen(topic), pl = (int)strlen(payload), i = 0;
    rec[i++] = (unsigned char)(0x30 | qos << 1);
    rec[i++] = (unsigned char)(2 + tl + 2 + (v5 ? 1 : 0) + pl);
    rec[i++] = 0;
    rec[i++] = (unsigned char)tl;
    memcpy(rec + i, topic, tl);
    i += tl;
    rec[i++] = (unsigned char)(id >> 8);
    rec[i++] = (unsigned char)id;
    if (v5)
        rec[i++] = 0;
    memcpy(rec + i, payload, pl);
    i += pl;
    snprintf(key, sizeof key, "%s%d", v5 ? "s5-" : "s-", id);
    set(key, rec, i);
}

static void put_pubrel(int v5, int id)
{
    unsigned char rec[4] = { 0x62, 2, 0, 0 };
    char key[16];
    rec[2] = (unsigned char)(id >> 8);
    rec[3] = (unsigned char)id;
    snprintf(key, sizeof key, "%s%d", v5 ? "sc5-" : "sc-", id);
    set(key, rec, 4);
}

static void print_pending(MQTTClient c)
{
    MQTTClient_deliveryToken *t = NULL;
    int i;
    MQTTClient_getPendingDeliveryTokens(c, &t);
    printf("  pending:");
    for (i = 0; t && t[i] != -1; i++)
        printf(" %d", t[i]);
    printf("%s\n", t && t[0] != -1 ? "" : " none");
    MQTTClient_free(t);
}

/* Everything the subscriber gets within 1.5 s of quiet, in order. */
static void drain(tu_sub *s)
{
    MQTTClient_message *m;
    char *topic;
    int n = 0;
    while ((m = tu_sub_next(s, n ? 1000 : 3000, &topic)) != NULL) {
        printf("  subscriber: %s qos=%d ", tu_topic_suffix(topic), m->qos);
        tu_print_payload(m->payload, m->payloadlen);
        printf("\n");
        MQTTClient_freeMessage(&m);
        MQTTClient_free(topic);
        n++;
    }
    if (!n)
        printf("  subscriber: nothing\n");
}

static int connect_kept(MQTTClient c, int v5, int *sp)
{
    int rc;
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTProperties props = MQTTProperties_initializer;
        MQTTProperty p;
        MQTTResponse r;
        o.cleanstart = 0;
        p.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
        p.value.integer4 = 60;
        MQTTProperties_add(&props, &p);
        r = MQTTClient_connect5(c, &o, &props, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
        MQTTProperties_free(&props);
        *sp = -1; /* Paho reports 0 for MQTT 5 whatever the CONNACK says */
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.cleansession = 0;
        rc = MQTTClient_connect(c, &o);
        *sp = o.returned.sessionPresent;
    }
    return rc;
}

static MQTTClient create(const char *uri, const char *id, int v5, int persistence)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    printf("  create: %d\n", MQTTClient_createWithOptions(&c, uri, id, persistence,
                                                          persistence == MQTTCLIENT_PERSISTENCE_USER ? &table : NULL, &co));
    return c;
}

static void end(MQTTClient *c, int v5)
{
    if (v5)
        MQTTClient_disconnect5(*c, 1000, MQTTREASONCODE_NORMAL_DISCONNECTION, NULL);
    else
        MQTTClient_disconnect(*c, 1000);
    MQTTClient_destroy(c);
}

/* A client the server has a session for, with nothing in it. */
static void prime(const char *uri, const char *id, int v5)
{
    int sp;
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    if (MQTTClient_createWithOptions(&c, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co) != 0 ||
        connect_kept(c, v5, &sp) != 0)
        tu_fail("prime %s", id);
    end(&c, v5);
}

static void restored(const char *name, int v5, int session, int released)
{
    const char *uri = tu_env("MQTT_TEST_URI"), *topic = tu_topic(name);
    char id[32];
    tu_sub *s;
    MQTTClient c;
    int rc, sp;

    printf("%s: restored, MQTT %s, server %s the session%s\n", name, v5 ? "5" : "3.1.1",
           session ? "has" : "lacks", released ? ", QoS 2 past PUBREC" : "");
    tu_step(name);
    snprintf(id, sizeof id, "%s", tu_client_id(name));
    if (session)
        prime(uri, id, v5);
    s = tu_sub_open(uri, topic, 2);
    put_publish(v5, 1, 1, topic, "first");
    put_publish(v5, 2, 2, topic, "second");
    if (released)
        put_pubrel(v5, 2);
    c = create(uri, id, v5, MQTTCLIENT_PERSISTENCE_USER);
    print_pending(c);
    rc = connect_kept(c, v5, &sp);
    if (sp >= 0)
        printf("  connect: %d, session present %d\n", rc, sp);
    else
        printf("  connect: %d\n", rc);
    drain(s);
    printf("  waitForCompletion: %d %d\n", MQTTClient_waitForCompletion(c, 1, 2000),
           MQTTClient_waitForCompletion(c, 2, 2000));
    print_pending(c);
    end(&c, v5);
    print_left();
    p_clear(NULL);
    tu_sub_close(s);
}

static void in_memory(void)
{
    tb_broker b;
    MQTTClient c;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt[2];
    const char *topic = tu_topic("memory");
    tu_sub *s;
    int i;

    printf("memory: in memory, broker restarted empty\n");
    tu_step("memory");
    memset(&b, 0, sizeof b);
    tb_start(&b);
    c = create(b.uri, tu_client_id("memory"), 0, MQTTCLIENT_PERSISTENCE_NONE);
    o.cleansession = 0;
    o.reliable = 0;
    printf("  connect: %d\n", MQTTClient_connect(c, &o));
    kill(b.pid, SIGSTOP);
    for (i = 0; i < 2; i++)
        printf("  publish QoS %d: %d\n", i + 1,
               MQTTClient_publish(c, topic, i ? 6 : 5, i ? "second" : "first", i + 1, 0, &dt[i]));
    tu_sleep_ms(200);
    tb_stop(&b, 1);
    tb_start(&b);
    s = tu_sub_open(b.uri, topic, 2);
    printf("  connect: %d, session present %d\n", MQTTClient_connect(c, &o), o.returned.sessionPresent);
    drain(s);
    printf("  waitForCompletion: %d %d\n", MQTTClient_waitForCompletion(c, dt[0], 2000),
           MQTTClient_waitForCompletion(c, dt[1], 2000));
    print_pending(c);
    end(&c, 0);
    tu_sub_close(s);
    tb_stop(&b, 0);
}

int main(void)
{
    check_library();
    tu_watchdog(50);
    restored("lacks", 0, 0, 0);
    restored("has", 0, 1, 0);
    restored("released", 0, 1, 1);
    restored("lacks5", 1, 0, 0);
    restored("has5", 1, 1, 0);
    in_memory();
    return 0;
}
