/*
 * Bad input where Debian's Paho 1.3 crashes (checked: each row below dies of
 * SIGSEGV there), so it cannot be a differential test. Ours must return an
 * error code instead: MQTTCLIENT_NULL_PARAMETER, BAD_STRUCTURE or FAILURE for
 * functions that return a code, and simply not crash for the void ones.
 *
 * Each row runs in a fork()ed child so a crash or hang is reported per row.
 * Ours only (exit 0 = pass). Against Paho (MQTT_TEST_EXPECT=paho) it prints
 * what happens and exits 0, so the table can be re-checked against Paho.
 */
#include <stdio.h>
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
