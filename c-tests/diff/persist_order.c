/*
 * The order in which the synchronous client calls a user persistence
 * (MQTTCLIENT_PERSISTENCE_USER) for a QoS 1 and a QoS 2 publish, with clean
 * session 1 and 0, MQTT 3.1.1 and 5 (differential).
 *
 * The store keeps its entries in memory; every call is printed as it comes,
 * with the PUBLISH decoded from what pput was given (the buffers joined).
 * Left out, because they say nothing a user could rely on:
 *  - how pput splits the value into buffers (Paho: one per field; ours: the
 *    packet and an 8-byte sequence number after it, which is not printed);
 *  - removes of keys that are not in the store (Paho removes s5-/sc5- and
 *    s-/sc- alike whatever the version);
 *  - a call repeated right after itself (Paho lists the keys twice at create).
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "MQTTClientPersistence.h"
#include "testutil.h"

#define MAXK 32
static char *keys[MAXK], *vals[MAXK];
static int lens[MAXK];
static char last[160];

static int find(const char *k)
{
    int i;
    for (i = 0; i < MAXK; i++)
        if (keys[i] && strcmp(keys[i], k) == 0)
            return i;
    return -1;
}

static void call(const char *fmt, const char *key)
{
    char line[160];
    snprintf(line, sizeof line, fmt, key ? key : "");
    if (strcmp(line, last) == 0)
        return;
    snprintf(last, sizeof last, "%s", line);
    printf("    %s\n", line);
}

/* What a stored value holds: a PUBLISH (its fields), or the bytes in hex. */
static void describe_value(const char *key, const unsigned char *b, int n, int v5)
{
    char line[160];
    int type = n > 0 ? b[0] >> 4 : 0, pos = 1, mult = 1, rem = 0, tl, end;
    if (type == 3) {
        while (pos < n && pos < 5) {
            rem += (b[pos] & 127) * mult;
            mult *= 128;
            if (!(b[pos++] & 128))
                break;
        }
        end = pos + rem;
        if (end <= n && pos + 2 <= end) {
            int qos = (b[0] >> 1) & 3, id = 0, plen;
            const char *topic;
            char tbuf[128];
            tl = b[pos] << 8 | b[pos + 1];
            pos += 2;
            snprintf(tbuf, sizeof tbuf, "%.*s", tl < 127 ? tl : 127, (const char *)b + pos);
            topic = tu_topic_suffix(tbuf);
            pos += tl;
            if (qos) {
                id = b[pos] << 8 | b[pos + 1];
                pos += 2;
            }
            if (v5)
                pos += 1 + b[pos]; /* property length (short) and properties */
            plen = end - pos;
            snprintf(line, sizeof line, "put %s: PUBLISH qos=%d dup=%d retained=%d id=%d topic=%s payload=%.*s", key,
                     qos, (b[0] >> 3) & 1, b[0] & 1, id, topic, plen > 0 ? plen : 0, (const char *)b + pos);
            call("%s", line);
            return;
        }
    }
    {
        int i, w = snprintf(line, sizeof line, "put %s:", key);
        for (i = 0; i < n && w < (int)sizeof line - 4; i++)
            w += snprintf(line + w, sizeof line - w, " %02x", b[i]);
        call("%s", line);
    }
}

static int cur_v5;

static int p_open(void **h, const char *id, const char *uri, void *ctx)
{
    (void)id;
    (void)uri;
    *h = ctx;
    call("open", NULL);
    return 0;
}
static int p_close(void *h)
{
    (void)h;
    call("close", NULL);
    return 0;
}
static int p_put(void *h, char *k, int n, char *b[], int l[])
{
    int i, tot = 0, at = find(k);
    (void)h;
    for (i = 0; i < n; i++)
        tot += l[i];
    if (at < 0) {
        for (at = 0; at < MAXK && keys[at]; at++)
            ;
        if (at == MAXK)
            tu_fail("store full");
        keys[at] = strdup(k);
    } else
        free(vals[at]);
    vals[at] = malloc(tot ? tot : 1);
    lens[at] = tot;
    for (tot = 0, i = 0; i < n; i++) {
        memcpy(vals[at] + tot, b[i], l[i]);
        tot += l[i];
    }
    describe_value(k, (unsigned char *)vals[at], lens[at], cur_v5);
    return 0;
}
static int p_get(void *h, char *k, char **b, int *l)
{
    int at = find(k);
    (void)h;
    call("get %s", k);
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
    if (at >= 0) {
        call("remove %s", k);
        free(keys[at]);
        free(vals[at]);
        keys[at] = NULL;
    }
    return 0;
}
static int p_keys(void *h, char ***k, int *n)
{
    int i, c = 0;
    (void)h;
    call("keys", NULL);
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
    call("clear", NULL);
    for (i = 0; i < MAXK; i++)
        if (keys[i]) {
            free(keys[i]);
            free(vals[i]);
            keys[i] = NULL;
        }
    return 0;
}
static int p_containskey(void *h, char *k)
{
    (void)h;
    call("containskey %s", k);
    return find(k) < 0 ? MQTTCLIENT_PERSISTENCE_ERROR : 0;
}

static void step(const char *what, int rc)
{
    char line[64];
    snprintf(line, sizeof line, "%s -> %d", what, rc);
    call("%s", line);
}

static void run(int v5, int clean, int qos)
{
    static MQTTClient_persistence table = { (void *)1, p_open, p_close, p_put, p_get, p_remove, p_keys, p_clear, p_containskey };
    MQTTClient c;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_deliveryToken dt = 0;
    int rc, i, left = 0;

    printf("MQTT %s, clean %d, QoS %d:\n", v5 ? "5" : "3.1.1", clean, qos);
    cur_v5 = v5;
    last[0] = '\0';
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    tu_step("create");
    step("create", MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), tu_client_id("order"),
                                                MQTTCLIENT_PERSISTENCE_USER, &table, &co));
    tu_step("connect");
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r;
        o.cleanstart = clean;
        r = MQTTClient_connect5(c, &o, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.cleansession = clean;
        rc = MQTTClient_connect(c, &o);
    }
    step("connect", rc);
    tu_step("publish");
    if (v5) {
        MQTTClient_message m = MQTTClient_message_initializer;
        MQTTResponse r;
        m.payload = "hello";
        m.payloadlen = 5;
        m.qos = qos;
        r = MQTTClient_publishMessage5(c, tu_topic("order"), &m, &dt);
        rc = r.reasonCode;
        MQTTResponse_free(r);
    } else
        rc = MQTTClient_publish(c, tu_topic("order"), 5, "hello", qos, 0, &dt);
    /* The acknowledgement may come before publish returns: its rc is printed after. */
    {
        char line[64];
        snprintf(line, sizeof line, "publish -> %d, waitForCompletion", rc);
        step(line, MQTTClient_waitForCompletion(c, dt, 5000));
    }
    tu_step("disconnect");
    step("disconnect", MQTTClient_disconnect(c, 1000));
    MQTTClient_destroy(&c);
    step("destroy", 0);
    for (i = 0; i < MAXK; i++)
        if (keys[i]) {
            left++;
            free(keys[i]);
            free(vals[i]);
            keys[i] = NULL;
        }
    printf("  entries left: %d\n", left);
}

int main(void)
{
    int v5, clean, qos;
    check_library();
    for (v5 = 0; v5 <= 1; v5++)
        for (clean = 1; clean >= 0; clean--)
            for (qos = 1; qos <= 2; qos++)
                run(v5, clean, qos);
    return 0;
}
