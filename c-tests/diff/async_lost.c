/*
 * Connection lost on the async API: the broker drops a client when another
 * connects with the same client id. MQTT 3.1.1: connectionLost (with its
 * cause) and isConnected after. MQTT 5: the broker first sends DISCONNECT
 * with reason 142 (session taken over), so the disconnected callback comes
 * with that reason, then connectionLost (mosquitto 2.0.11 sends none, so
 * only connectionLost). Then a send after the loss, and reconnect() on a
 * client without automaticReconnect: Paho reconnects, and the connected
 * callback says "automatic reconnect".
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static void lost(void *ctx, char *cause)
{
    ta_event("%s connectionLost cause=%s", (char *)ctx, cause ? cause : "NULL");
}

static void disconnected(void *ctx, MQTTProperties *props, enum MQTTReasonCodes reason)
{
    ta_event("%s disconnected reasonCode=%d properties=%d", (char *)ctx, reason, props ? props->count : -1);
}

static void on_connect(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s connect onSuccess token=%d", (char *)ctx, r->token);
}
static void on_connect5(void *ctx, MQTTAsync_successData5 *r)
{
    ta_event("%s connect onSuccess5 token=%d", (char *)ctx, r->token);
}
static void on_fail(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("%s connect onFailure code=%d", (char *)ctx, r->code);
}
static void on_fail5(void *ctx, MQTTAsync_failureData5 *r)
{
    ta_event("%s connect onFailure5 code=%d", (char *)ctx, r->code);
}

static void connected(void *ctx, char *cause)
{
    ta_event("%s connected cause=%s", (char *)ctx, cause ? cause : "NULL");
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    return ta_arrived_event(ctx, topic, topic_len, m);
}

static void scenario(const char *name, int version)
{
    char id[32];
    MQTTAsync victim = NULL, thief = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    int rc;

    tu_step(name);
    snprintf(id, sizeof id, "%s", tu_client_id("lost"));
    co.MQTTVersion = version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    if (MQTTAsync_createWithOptions(&victim, tu_env("MQTT_TEST_URI"), id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co))
        tu_fail("create");
    printf("%s setCallbacks rc=%d\n", name, MQTTAsync_setCallbacks(victim, (void *)name, lost, arrived, NULL));
    printf("%s setDisconnected rc=%d\n", name, MQTTAsync_setDisconnected(victim, (void *)name, disconnected));
    printf("%s setConnected rc=%d\n", name, MQTTAsync_setConnected(victim, (void *)name, connected));
    /* Own callbacks with a lasting context: reconnect() may call them again. */
    {
        MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
        MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
        MQTTAsync_connectOptions *p = version == MQTTVERSION_5 ? &o5 : &o;
        p->MQTTVersion = version;
        p->context = (void *)name;
        if (version == MQTTVERSION_5) {
            p->onSuccess5 = on_connect5;
            p->onFailure5 = on_fail5;
        } else {
            p->onSuccess = on_connect;
            p->onFailure = on_fail;
        }
        printf("%s connect rc=%d\n", name, MQTTAsync_connect(victim, p));
    }
    ta_wait_events(2, 5000); /* onSuccess, connected */
    tu_sleep_ms(200);
    ta_print_events("  ");

    if (MQTTAsync_createWithOptions(&thief, tu_env("MQTT_TEST_URI"), id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co))
        tu_fail("create thief");
    if (ta_connect(thief, NULL, version))
        tu_fail("thief connect");
    printf("%s taken over\n", name);
    ta_wait_events(version == MQTTVERSION_5 ? 2 : 1, 5000);
    tu_sleep_ms(300);
    ta_print_events("  ");
    printf("%s isConnected=%d\n", name, MQTTAsync_isConnected(victim));
    rc = MQTTAsync_send(victim, tu_topic("lost"), 2, "hi", 1, 0, NULL);
    printf("%s send after loss rc=%d\n", name, rc);
    rc = MQTTAsync_reconnect(victim);
    printf("%s reconnect rc=%d\n", name, rc);
    ta_wait_events(1, 5000); /* reconnect() works without automaticReconnect */
    tu_sleep_ms(200);
    tu_sleep_ms(300);
    ta_print_events("  ");
    ta_close(&thief);
    ta_close(&victim);
}

int main(void)
{
    check_library_async();
    scenario("v3.1.1", MQTTVERSION_3_1_1);
    scenario("v5", MQTTVERSION_5);
    return 0;
}
