/*
 * Async bad input where Debian's Paho 1.3.12 crashes (checked: every row dies
 * of SIGSEGV or a malloc abort there), so it cannot be a differential test.
 * Ours must return an error code instead (NULL_PARAMETER, BAD_STRUCTURE or
 * FAILURE), and simply not crash for the void functions.
 *
 * Each row runs in a fork()ed child so a crash or hang is reported per row.
 * Ours only (exit 0 = pass). Against Paho (MQTT_TEST_EXPECT=paho) it prints
 * what happens and exits 0, so the table can be re-checked against Paho.
 */
// link: paho-mqtt3a
#include <stdio.h>
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
ROW(send_negative_payloadlen) { return MQTTAsync_send(mkc(), tu_topic("bad"), -1, "hi", 1, 0, NULL); }
ROW(sendmessage_negative_payloadlen)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = "hi";
    m.payloadlen = -5;
    return MQTTAsync_sendMessage(mkc(), tu_topic("bad"), &m, NULL);
}
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
    R(connect_null_handle, 0), R(send_negative_payloadlen, 0), R(sendmessage_negative_payloadlen, 0),
    R(reconnect_null_handle, 0), R(freemessage_null_message, 1),
    R(create_null_handle, 0), R(send_null_payload_len5, 0),
    R(sendmessage_null_handle, 0), R(subscribemany_null_topics, 0), R(subscribemany_null_qos, 0),
    R(unsubscribemany_null_topics, 0),
    R(serveruris_count1_null_list, 0), R(pending_tokens_null_out, 0), R(destroy_null, 1),
    R(freemessage_null, 1),
};

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
    if (!tu_is_ours()) {
        tu_log("Paho: %d rows crash or misbehave (expected: this file exists for them)", failures);
        return 0;
    }
    if (failures)
        tu_fail("%d rows crashed, hung or returned no error", failures);
    return 0;
}
