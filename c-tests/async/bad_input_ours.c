/*
 * Async bad input where Debian's Paho 1.3.12 crashes (checked: every row dies
 * of SIGSEGV or a malloc abort there), so it cannot be a differential test.
 * Ours must return an error code instead (NULL_PARAMETER, BAD_STRUCTURE or
 * FAILURE), and simply not crash for the void functions.
 *
 * A second table holds the bad input Paho accepts (rc 0, then onFailure -11
 * and, for sends, a connection the broker drops): empty, wildcard or
 * 65,536-byte send topic, empty or bad-wildcard (un)subscription,
 * (un)subscribeMany with count 0 or less; also negative payloadlen (Paho
 * crashes on it). Ours refuses those at once and stays connected, a
 * deliberate deviation (c-tests/diff/README.md): each row must return exactly
 * the code listed (FAILURE -1, or BAD_QOS -9 for the QoS), call neither
 * onSuccess nor onFailure within 300 ms, and leave the client connected
 * (isConnected, a subscribe round trip succeeds, no connectionLost).
 *
 * Each row runs in a fork()ed child so a crash or hang is reported per row.
 * Ours only (exit 0 = pass). Against Paho (MQTT_TEST_EXPECT=paho) it prints
 * what happens and exits 0, so the table can be re-checked against Paho.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

/* Marks a void function that returned. */
#define RETURNED 4242

static MQTTAsync mkc(void)
{
    MQTTAsync c = ta_create(tu_env("MQTT_TEST_URI"), "badours", MQTTVERSION_3_1_1);
    int rc = ta_connect(c, NULL, MQTTVERSION_3_1_1);
    if (rc != 0)
        tu_fail("connect: %d", rc);
    return c;
}

#define ROW(name) static int name(void)

ROW(connect_null_handle) { MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer; return MQTTAsync_connect(NULL, &o); }
ROW(reconnect_null_handle) { return MQTTAsync_reconnect(NULL); }
ROW(freemessage_null_message) { MQTTAsync_message *m = NULL; MQTTAsync_freeMessage(&m); return RETURNED; }
ROW(create_null_handle) { return MQTTAsync_create(NULL, tu_env("MQTT_TEST_URI"), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(send_null_payload_len5) { return MQTTAsync_send(mkc(), tu_topic("bad"), 5, NULL, 1, 0, NULL); }
ROW(sendmessage_null_handle)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    return MQTTAsync_sendMessage(NULL, "t", &m, NULL);
}
ROW(subscribemany_null_topics) { int q[1] = { 0 }; return MQTTAsync_subscribeMany(mkc(), 1, NULL, q, NULL); }
ROW(subscribemany_null_qos) { char *t[1]; t[0] = (char *)tu_topic("ok"); return MQTTAsync_subscribeMany(mkc(), 1, t, NULL, NULL); }
ROW(unsubscribemany_null_topics) { return MQTTAsync_unsubscribeMany(mkc(), 1, NULL, NULL); }
ROW(serveruris_count1_null_list)
{
    MQTTAsync c = ta_create(tu_env("MQTT_TEST_URI"), "badours", MQTTVERSION_DEFAULT);
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.serverURIcount = 1;
    o.serverURIs = NULL;
    return MQTTAsync_connect(c, &o);
}
ROW(pending_tokens_null_out) { return MQTTAsync_getPendingTokens(mkc(), NULL); }
ROW(destroy_null) { MQTTAsync_destroy(NULL); return RETURNED; }
ROW(freemessage_null) { MQTTAsync_freeMessage(NULL); return RETURNED; }

#define R(f, void_fn) { #f, f, void_fn }
static const struct row { const char *name; int (*fn)(void); int void_fn; } rows[] = {
    R(connect_null_handle, 0), R(reconnect_null_handle, 0), R(freemessage_null_message, 1),
    R(create_null_handle, 0), R(send_null_payload_len5, 0),
    R(sendmessage_null_handle, 0), R(subscribemany_null_topics, 0), R(subscribemany_null_qos, 0),
    R(unsubscribemany_null_topics, 0),
    R(serveruris_count1_null_list, 0), R(pending_tokens_null_out, 0), R(destroy_null, 1),
    R(freemessage_null, 1),
};

/* ---- refused at once, still connected ------------------------------------ */

static int lost_calls;

static void on_lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_lock();
    lost_calls++;
    ta_unlock_notify();
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

typedef MQTTAsync_responseOptions resp;

static int snd(MQTTAsync c, resp *o, const char *topic, int len, int qos)
{
    return MQTTAsync_send(c, topic, len, "hi", qos, 0, o);
}
static int sndmsg(MQTTAsync c, resp *o, const char *topic, int len, int qos)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = "hi";
    m.payloadlen = len;
    m.qos = qos;
    return MQTTAsync_sendMessage(c, topic, &m, o);
}

#define RROW(name) static int name(MQTTAsync c, resp *o)

RROW(send_empty_topic) { return snd(c, o, "", 2, 1); }
RROW(send_wildcard_plus) { return snd(c, o, tu_topic("a/+/b"), 2, 1); }
RROW(send_wildcard_hash) { return snd(c, o, tu_topic("a/#"), 2, 1); }
RROW(send_topic_plus) { return snd(c, o, "+", 2, 0); }
RROW(send_topic_hash) { return snd(c, o, "#", 2, 0); }
RROW(send_topic_65536) { return snd(c, o, long_topic(), 2, 1); }
RROW(send_negative_payloadlen) { return snd(c, o, tu_topic("bad"), -1, 1); }
RROW(send_qos_minus1) { return snd(c, o, tu_topic("bad"), 2, -1); }
RROW(send_qos_3) { return snd(c, o, tu_topic("bad"), 2, 3); }
RROW(sendmessage_empty_topic) { return sndmsg(c, o, "", 2, 1); }
RROW(sendmessage_wildcard) { return sndmsg(c, o, tu_topic("a/+"), 2, 1); }
RROW(sendmessage_topic_65536) { return sndmsg(c, o, long_topic(), 2, 0); }
RROW(sendmessage_negative_payloadlen) { return sndmsg(c, o, tu_topic("bad"), -5, 1); }
RROW(sendmessage_qos_minus1) { return sndmsg(c, o, tu_topic("bad"), 2, -1); }
RROW(sendmessage_qos_3) { return sndmsg(c, o, tu_topic("bad"), 2, 3); }
RROW(subscribe_empty_topic) { return MQTTAsync_subscribe(c, "", 0, o); }
RROW(subscribe_bad_wildcard) { return MQTTAsync_subscribe(c, tu_topic("a/#/b"), 0, o); }
RROW(subscribe_hash_not_alone) { return MQTTAsync_subscribe(c, tu_topic("a#"), 0, o); }
RROW(unsubscribe_empty_topic) { return MQTTAsync_unsubscribe(c, "", o); }
RROW(unsubscribe_bad_wildcard) { return MQTTAsync_unsubscribe(c, tu_topic("a/#/b"), o); }
RROW(subscribemany_count0) { char *t[1] = { NULL }; int q[1] = { 0 }; return MQTTAsync_subscribeMany(c, 0, t, q, o); }
RROW(subscribemany_count_negative) { char *t[1] = { NULL }; int q[1] = { 0 }; return MQTTAsync_subscribeMany(c, -1, t, q, o); }
RROW(subscribemany_empty_entry)
{
    char *t[2];
    int q[2] = { 0, 0 };
    t[0] = (char *)tu_topic("ok");
    t[1] = "";
    return MQTTAsync_subscribeMany(c, 2, t, q, o);
}
RROW(unsubscribemany_count0) { char *t[1] = { NULL }; return MQTTAsync_unsubscribeMany(c, 0, t, o); }
RROW(unsubscribemany_count_negative) { char *t[1] = { NULL }; return MQTTAsync_unsubscribeMany(c, -1, t, o); }

#define F MQTTASYNC_FAILURE
#define Q MQTTASYNC_BAD_QOS
#define RR(f, v5, want) { #f, f, v5, want }
/* v5: run on an MQTT 5 client with onSuccess5/onFailure5. */
static const struct rrow { const char *name; int (*fn)(MQTTAsync, resp *); int v5; int want; } refused[] = {
    RR(send_empty_topic, 0, F), RR(send_wildcard_plus, 0, F), RR(send_wildcard_hash, 0, F),
    RR(send_topic_plus, 0, F), RR(send_topic_hash, 0, F), RR(send_topic_65536, 0, F),
    RR(send_negative_payloadlen, 0, F), RR(send_qos_minus1, 0, Q), RR(send_qos_3, 0, Q),
    RR(sendmessage_empty_topic, 0, F), RR(sendmessage_wildcard, 0, F), RR(sendmessage_topic_65536, 0, F),
    RR(sendmessage_negative_payloadlen, 0, F), RR(sendmessage_qos_minus1, 0, Q), RR(sendmessage_qos_3, 0, Q),
    RR(subscribe_empty_topic, 0, F), RR(subscribe_bad_wildcard, 0, F), RR(subscribe_hash_not_alone, 0, F),
    RR(unsubscribe_empty_topic, 0, F), RR(unsubscribe_bad_wildcard, 0, F),
    RR(subscribemany_count0, 0, F), RR(subscribemany_count_negative, 0, F), RR(subscribemany_empty_entry, 0, F),
    RR(unsubscribemany_count0, 0, F), RR(unsubscribemany_count_negative, 0, F),
    RR(send_empty_topic, 1, F), RR(send_wildcard_hash, 1, F), RR(send_negative_payloadlen, 1, F),
    RR(send_qos_3, 1, Q), RR(sendmessage_wildcard, 1, F), RR(subscribe_empty_topic, 1, F),
    RR(subscribe_bad_wildcard, 1, F), RR(unsubscribe_empty_topic, 1, F), RR(subscribemany_count0, 1, F),
    RR(unsubscribemany_count_negative, 1, F),
};

/* In the child: a connected client with a connectionLost callback, the
 * row's call with onSuccess/onFailure, then whether either was called within
 * 300 ms and whether the connection is intact. The note says
 * " then no callback then connected" when all is well. */
static int run_refused(void *arg)
{
    const struct rrow *r = arg;
    int version = r->v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    MQTTAsync c = ta_create(tu_env("MQTT_TEST_URI"), "refused", version);
    resp o = MQTTAsync_responseOptions_initializer, po = MQTTAsync_responseOptions_initializer;
    ta_done d, probe;
    int rc, state, connected, lost;
    size_t n;

    tu_step(r->name);
    MQTTAsync_setCallbacks(c, NULL, on_lost, ta_arrived_event, NULL);
    if ((rc = ta_connect(c, NULL, version)) != 0)
        tu_fail("connect: %d", rc);
    ta_response(&o, &d, r->v5);
    rc = r->fn(c, &o);
    state = ta_wait_done(&d, 300);
    if (state == 0 && d.calls == 0)
        snprintf(tu_child_note, sizeof tu_child_note, " then no callback");
    else
        snprintf(tu_child_note, sizeof tu_child_note, " then %s code=%d calls=%d", state > 0 ? "success" : "failure",
                 d.code, d.calls);
    /* A round trip with the broker: it handles packets in order, so this is
     * acknowledged only if nothing before it made it drop the connection. */
    ta_response(&po, &probe, r->v5);
    state = MQTTAsync_subscribe(c, tu_topic("probe"), 1, &po) == MQTTASYNC_SUCCESS ? ta_wait_done(&probe, 5000) : -2;
    tu_sleep_ms(100);
    ta_lock();
    lost = lost_calls;
    ta_unlock_notify();
    connected = MQTTAsync_isConnected(c);
    tu_log("probe: subscribe state=%d connected=%d lost=%d", state, connected, lost);
    n = strlen(tu_child_note);
    if (state == 1 && connected && lost == 0)
        snprintf(tu_child_note + n, sizeof tu_child_note - n, " then connected");
    else
        snprintf(tu_child_note + n, sizeof tu_child_note - n, " then subscribe=%d connected=%d lost=%d", state,
                 connected, lost);
    ta_close(&c);
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
    return rc == MQTTASYNC_NULL_PARAMETER || rc == MQTTASYNC_BAD_STRUCTURE || rc == MQTTASYNC_FAILURE;
}

int main(void)
{
    size_t i;
    int failures = 0;
    check_library_async();
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
        int how = tu_in_child(run_refused, (void *)r, 10, &rc);
        if (how == TU_CHILD_OK) {
            ok = rc == r->want && strcmp(tu_child_note, " then no callback then connected") == 0;
            printf("%s%s: %d%s\n", r->name, r->v5 ? " (v5)" : "", rc, tu_child_note);
            if (!ok)
                printf("  FAIL: want %d then no callback then connected\n", r->want);
        } else {
            ok = 0;
            printf("%s%s: %s\n", r->name, r->v5 ? " (v5)" : "",
                   how == TU_CHILD_CRASH ? "crash" : how == TU_CHILD_HANG ? "hang" : "error");
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
