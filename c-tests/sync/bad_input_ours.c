/*
 * Bad input where Debian's Paho 1.3 crashes (checked: each row below dies of
 * SIGSEGV there), so it cannot be a differential test. Ours must return an
 * error code instead: MQTTCLIENT_NULL_PARAMETER, BAD_STRUCTURE or FAILURE for
 * functions that return a code, and simply not crash for the void ones.
 *
 * A second table holds the bad input Paho accepts (rc 0, or -1 after sending)
 * and sends, so that the broker drops the connection: empty, wildcard or
 * 65,536-byte publish topic, negative payloadlen, QoS -1/3, empty or
 * bad-wildcard (un)subscription, (un)subscribeMany with count 0 or less.
 * Ours refuses those at once and stays connected, a deliberate deviation
 * (c-tests/diff/README.md): each row must return exactly the code listed
 * (FAILURE -1, or BAD_QOS -9 for the QoS), and afterwards the client must
 * still be connected (isConnected, and a subscribe round trip with the
 * broker succeeds), connectionLost and deliveryComplete not called.
 *
 * Each row runs in a fork()ed child so a crash or hang is reported per row.
 * Ours only (exit 0 = pass). Against Paho (MQTT_TEST_EXPECT=paho) it prints
 * what happens and exits 0, so the table can be re-checked against Paho.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

/* Marks a void function that returned. */
#define RETURNED 4242

static MQTTClient mkc(void)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    int rc = MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("badours"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    if (rc != MQTTCLIENT_SUCCESS || (rc = MQTTClient_connect(c, &o)) != MQTTCLIENT_SUCCESS)
        tu_fail("create/connect: %d", rc);
    return c;
}

#define ROW(name) static int name(void)

ROW(create_null_handle) { return MQTTClient_create(NULL, tu_env("MQTT_TEST_URI"), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(publish_null_handle) { return MQTTClient_publish(NULL, "t", 2, "hi", 0, 0, NULL); }
ROW(publish_null_payload_len5) { return MQTTClient_publish(mkc(), tu_topic("bad"), 5, NULL, 1, 0, NULL); }
ROW(publishmessage_null_message)
{
    MQTTClient_deliveryToken dt;
    return MQTTClient_publishMessage(mkc(), tu_topic("bad"), NULL, &dt);
}
ROW(subscribe_null_handle) { return MQTTClient_subscribe(NULL, "t", 0); }
ROW(subscribemany_null_topics) { int q[1] = { 0 }; return MQTTClient_subscribeMany(mkc(), 1, NULL, q); }
ROW(subscribemany_null_qos) { char *t[1]; t[0] = (char *)tu_topic("ok"); return MQTTClient_subscribeMany(mkc(), 1, t, NULL); }
ROW(unsubscribemany_null_topics) { return MQTTClient_unsubscribeMany(mkc(), 1, NULL); }
ROW(serveruris_count1_null_list)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("badours"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    o.serverURIcount = 1;
    o.serverURIs = NULL;
    return MQTTClient_connect(c, &o);
}
ROW(pending_tokens_null_out) { return MQTTClient_getPendingDeliveryTokens(mkc(), NULL); }
ROW(receive_null_topic_out) { int l; MQTTClient_message *m; return MQTTClient_receive(mkc(), NULL, &l, &m, 100); }
ROW(receive_null_message_out) { char *t; int l; return MQTTClient_receive(mkc(), &t, &l, NULL, 100); }
ROW(destroy_null) { MQTTClient_destroy(NULL); return RETURNED; }
ROW(freemessage_null_message) { MQTTClient_message *m = NULL; MQTTClient_freeMessage(&m); return RETURNED; }
ROW(freemessage_null) { MQTTClient_freeMessage(NULL); return RETURNED; }

#define R(f, void_fn) { #f, f, void_fn }
static const struct row { const char *name; int (*fn)(void); int void_fn; } rows[] = {
    R(create_null_handle, 0), R(publish_null_handle, 0), R(publish_null_payload_len5, 0),
    R(publishmessage_null_message, 0), R(subscribe_null_handle, 0), R(subscribemany_null_topics, 0),
    R(subscribemany_null_qos, 0), R(unsubscribemany_null_topics, 0), R(serveruris_count1_null_list, 0),
    R(pending_tokens_null_out, 0), R(receive_null_topic_out, 0), R(receive_null_message_out, 0),
    R(destroy_null, 1), R(freemessage_null_message, 1), R(freemessage_null, 1),
};

/* ---- refused at once, still connected ------------------------------------ */

/* Written by the client's thread; read after a round trip and a pause. */
static volatile int lost_calls, delivered_calls;

static void on_lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    lost_calls++;
}

static void on_delivered(void *ctx, MQTTClient_deliveryToken dt)
{
    (void)ctx;
    (void)dt;
    delivered_calls++;
}

static int on_arrived(void *ctx, char *topic, int len, MQTTClient_message *m)
{
    (void)ctx;
    (void)len;
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static char *long_topic(void)
{
    char *t = malloc(65537);
    if (!t)
        tu_fail("out of memory");
    memset(t, 'a', 65536);
    t[65536] = '\0';
    return t;
}

static int pub(MQTTClient c, const char *topic, int len, int qos)
{
    return MQTTClient_publish(c, topic, len, "hi", qos, 0, NULL);
}
static int pubmsg(MQTTClient c, const char *topic, int len, int qos)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt = 0;
    m.payload = "hi";
    m.payloadlen = len;
    m.qos = qos;
    return MQTTClient_publishMessage(c, topic, &m, &dt);
}
static int pub5(MQTTClient c, const char *topic, int len, int qos)
{
    MQTTResponse r = MQTTClient_publish5(c, topic, len, "hi", qos, 0, NULL, NULL);
    MQTTResponse_free(r);
    return r.reasonCode;
}
static int pubmsg5(MQTTClient c, const char *topic, int len, int qos)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt = 0;
    MQTTResponse r;
    m.payload = "hi";
    m.payloadlen = len;
    m.qos = qos;
    r = MQTTClient_publishMessage5(c, topic, &m, &dt);
    MQTTResponse_free(r);
    return r.reasonCode;
}
static int sub5(MQTTClient c, const char *topic)
{
    MQTTResponse r = MQTTClient_subscribe5(c, topic, 1, NULL, NULL);
    MQTTResponse_free(r);
    return r.reasonCode;
}
static int unsub5(MQTTClient c, const char *topic)
{
    MQTTResponse r = MQTTClient_unsubscribe5(c, topic, NULL);
    MQTTResponse_free(r);
    return r.reasonCode;
}

#define RROW(name) static int name(MQTTClient c)

RROW(publish_empty_topic) { return pub(c, "", 2, 1); }
RROW(publish_wildcard_plus) { return pub(c, tu_topic("a/+/b"), 2, 1); }
RROW(publish_wildcard_hash) { return pub(c, tu_topic("a/#"), 2, 1); }
RROW(publish_topic_plus) { return pub(c, "+", 2, 0); }
RROW(publish_topic_hash) { return pub(c, "#", 2, 0); }
RROW(publish_topic_65536) { return pub(c, long_topic(), 2, 1); }
RROW(publish_negative_payloadlen) { return pub(c, tu_topic("bad"), -1, 1); }
RROW(publish_qos_minus1) { return pub(c, tu_topic("bad"), 2, -1); }
RROW(publish_qos_3) { return pub(c, tu_topic("bad"), 2, 3); }
RROW(publishmessage_empty_topic) { return pubmsg(c, "", 2, 1); }
RROW(publishmessage_wildcard) { return pubmsg(c, tu_topic("a/+"), 2, 1); }
RROW(publishmessage_topic_65536) { return pubmsg(c, long_topic(), 2, 0); }
RROW(publishmessage_negative_payloadlen) { return pubmsg(c, tu_topic("bad"), -5, 1); }
RROW(publishmessage_qos_minus1) { return pubmsg(c, tu_topic("bad"), 2, -1); }
RROW(publishmessage_qos_3) { return pubmsg(c, tu_topic("bad"), 2, 3); }
RROW(subscribe_empty_topic) { return MQTTClient_subscribe(c, "", 0); }
RROW(subscribe_bad_wildcard) { return MQTTClient_subscribe(c, tu_topic("a/#/b"), 0); }
RROW(subscribe_hash_not_alone) { return MQTTClient_subscribe(c, tu_topic("a#"), 0); }
RROW(unsubscribe_empty_topic) { return MQTTClient_unsubscribe(c, ""); }
RROW(unsubscribe_bad_wildcard) { return MQTTClient_unsubscribe(c, tu_topic("a/#/b")); }
RROW(subscribemany_count0) { char *t[1] = { NULL }; int q[1] = { 0 }; return MQTTClient_subscribeMany(c, 0, t, q); }
RROW(subscribemany_count_negative) { char *t[1] = { NULL }; int q[1] = { 0 }; return MQTTClient_subscribeMany(c, -1, t, q); }
RROW(subscribemany_empty_entry)
{
    char *t[2];
    int q[2] = { 0, 0 };
    t[0] = (char *)tu_topic("ok");
    t[1] = "";
    return MQTTClient_subscribeMany(c, 2, t, q);
}
RROW(unsubscribemany_count0) { char *t[1] = { NULL }; return MQTTClient_unsubscribeMany(c, 0, t); }
RROW(unsubscribemany_count_negative) { char *t[1] = { NULL }; return MQTTClient_unsubscribeMany(c, -1, t); }
/* The same through the MQTT 5 calls, on an MQTT 5 client. */
RROW(publish5_empty_topic) { return pub5(c, "", 2, 1); }
RROW(publish5_wildcard) { return pub5(c, tu_topic("a/#"), 2, 1); }
RROW(publish5_negative_payloadlen) { return pub5(c, tu_topic("bad"), -1, 1); }
RROW(publish5_qos_3) { return pub5(c, tu_topic("bad"), 2, 3); }
RROW(publishmessage5_wildcard) { return pubmsg5(c, tu_topic("+"), 2, 1); }
RROW(publishmessage5_qos_minus1) { return pubmsg5(c, tu_topic("bad"), 2, -1); }
RROW(subscribe5_empty_topic) { return sub5(c, ""); }
RROW(subscribe5_bad_wildcard) { return sub5(c, tu_topic("a/#/b")); }
RROW(unsubscribe5_empty_topic) { return unsub5(c, ""); }
RROW(subscribemany5_count0)
{
    char *t[1] = { NULL };
    int q[1] = { 0 };
    MQTTResponse r = MQTTClient_subscribeMany5(c, 0, t, q, NULL, NULL);
    MQTTResponse_free(r);
    return r.reasonCode;
}
RROW(unsubscribemany5_count_negative)
{
    char *t[1] = { NULL };
    MQTTResponse r = MQTTClient_unsubscribeMany5(c, -1, t, NULL);
    MQTTResponse_free(r);
    return r.reasonCode;
}

#define F MQTTCLIENT_FAILURE
#define Q MQTTCLIENT_BAD_QOS
#define RR(f, v5, want) { #f, f, v5, want }
static const struct rrow { const char *name; int (*fn)(MQTTClient); int v5; int want; } refused[] = {
    RR(publish_empty_topic, 0, F), RR(publish_wildcard_plus, 0, F), RR(publish_wildcard_hash, 0, F),
    RR(publish_topic_plus, 0, F), RR(publish_topic_hash, 0, F), RR(publish_topic_65536, 0, F),
    RR(publish_negative_payloadlen, 0, F), RR(publish_qos_minus1, 0, Q), RR(publish_qos_3, 0, Q),
    RR(publishmessage_empty_topic, 0, F), RR(publishmessage_wildcard, 0, F), RR(publishmessage_topic_65536, 0, F),
    RR(publishmessage_negative_payloadlen, 0, F), RR(publishmessage_qos_minus1, 0, Q), RR(publishmessage_qos_3, 0, Q),
    RR(subscribe_empty_topic, 0, F), RR(subscribe_bad_wildcard, 0, F), RR(subscribe_hash_not_alone, 0, F),
    RR(unsubscribe_empty_topic, 0, F), RR(unsubscribe_bad_wildcard, 0, F),
    RR(subscribemany_count0, 0, F), RR(subscribemany_count_negative, 0, F), RR(subscribemany_empty_entry, 0, F),
    RR(unsubscribemany_count0, 0, F), RR(unsubscribemany_count_negative, 0, F),
    RR(publish5_empty_topic, 1, F), RR(publish5_wildcard, 1, F), RR(publish5_negative_payloadlen, 1, F),
    RR(publish5_qos_3, 1, Q), RR(publishmessage5_wildcard, 1, F), RR(publishmessage5_qos_minus1, 1, Q),
    RR(subscribe5_empty_topic, 1, F), RR(subscribe5_bad_wildcard, 1, F), RR(unsubscribe5_empty_topic, 1, F),
    RR(subscribemany5_count0, 1, F), RR(unsubscribemany5_count_negative, 1, F),
};

/* In the child: a connected client (3.1.1 or 5) with callbacks, the row's
 * call, then whether the connection is intact. The note says
 * " then connected" when it is, else what went wrong. */
static int run_refused(void *arg)
{
    const struct rrow *r = arg;
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    int rc, sub;

    tu_step(r->name);
    co.MQTTVersion = r->v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    if (MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), tu_client_id("refused"), MQTTCLIENT_PERSISTENCE_NONE,
                                     NULL, &co) != MQTTCLIENT_SUCCESS)
        tu_fail("create");
    MQTTClient_setCallbacks(c, NULL, on_lost, on_arrived, on_delivered);
    if (r->v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse cr = MQTTClient_connect5(c, &o, NULL, NULL);
        if (cr.reasonCode != 0)
            tu_fail("connect5: %d", cr.reasonCode);
        MQTTResponse_free(cr);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = MQTTVERSION_3_1_1;
        if (MQTTClient_connect(c, &o) != MQTTCLIENT_SUCCESS)
            tu_fail("connect");
    }
    rc = r->fn(c);
    /* A round trip with the broker: it handles packets in order, so this is
     * acknowledged only if nothing before it made it drop the connection. */
    sub = r->v5 ? sub5(c, tu_topic("probe")) : MQTTClient_subscribe(c, tu_topic("probe"), 1);
    tu_sleep_ms(100);
    tu_log("probe: subscribe=%d connected=%d lost=%d delivered=%d", sub, MQTTClient_isConnected(c), lost_calls,
           delivered_calls);
    if (sub == (r->v5 ? MQTTREASONCODE_GRANTED_QOS_1 : MQTTCLIENT_SUCCESS) && MQTTClient_isConnected(c) && lost_calls == 0 && delivered_calls == 0)
        snprintf(tu_child_note, sizeof tu_child_note, " then connected");
    else
        snprintf(tu_child_note, sizeof tu_child_note, " then subscribe=%d connected=%d lost=%d delivered=%d", sub,
                 MQTTClient_isConnected(c), lost_calls, delivered_calls);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    return rc;
}

static int run_row(void *arg)
{
    const struct row *r = arg;
    tu_step(r->name);
    return r->fn();
}

static int sensible(int rc)
{
    return rc == MQTTCLIENT_NULL_PARAMETER || rc == MQTTCLIENT_BAD_STRUCTURE || rc == MQTTCLIENT_FAILURE;
}

int main(void)
{
    size_t i;
    int failures = 0;
    check_library();
    tu_watchdog(0); /* each row has its own */
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        int rc = 0, ok;
        int how = tu_in_child(run_row, (void *)r, 10, &rc);
        if (how == TU_CHILD_CRASH)
            printf("%s: crash\n", r->name);
        else if (how != TU_CHILD_OK)
            printf("%s: %s\n", r->name, how == TU_CHILD_HANG ? "hang" : "error");
        else
            printf("%s: %d\n", r->name, rc);
        ok = how == TU_CHILD_OK && (r->void_fn ? rc == RETURNED : sensible(rc));
        if (!ok)
            failures++;
    }
    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const struct rrow *r = &refused[i];
        int rc = 0, ok;
        int how = tu_in_child(run_refused, (void *)r, 8, &rc);
        if (how == TU_CHILD_OK) {
            ok = rc == r->want && strcmp(tu_child_note, " then connected") == 0;
            printf("%s: %d%s\n", r->name, rc, tu_child_note);
            if (!ok)
                printf("  FAIL: want %d then connected\n", r->want);
        } else {
            ok = 0;
            printf("%s: %s\n", r->name, how == TU_CHILD_CRASH ? "crash" : how == TU_CHILD_HANG ? "hang" : "error");
        }
        if (!ok)
            failures++;
    }
    if (!tu_is_ours()) {
        tu_log("Paho: %d rows crash or misbehave (expected: this file exists for them)", failures);
        return 0;
    }
    if (failures)
        tu_fail("%d rows crashed, hung or returned no error", failures);
    return 0;
}
