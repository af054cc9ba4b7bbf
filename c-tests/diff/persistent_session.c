/*
 * Broker-side session (differential): a client with cleansession 0
 * subscribes at QoS 1 and 2, disconnects; while it is away a publisher sends
 * QoS 0, 1 and 2 messages; when it reconnects (cleansession 0, callbacks set
 * before connect) the queued QoS 1 and 2 messages arrive in order through
 * messageArrived (QoS 0 is not queued) and sessionPresent is 1. Then the same
 * with MQTT 5 (cleanstart 0, session expiry 60 s), without printing
 * sessionPresent: Paho's synchronous client always reports 0 for MQTT 5, ours
 * the broker's flag, a deliberate deviation (c-tests/diff/README.md) that
 * c-tests/sync/v5_session_present.c asserts.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    ev_add("arrived %s '%.*s' qos=%d retained=%d dup=%d", tu_topic_suffix(topic), m->payloadlen, (char *)m->payload,
           m->qos, m->retained, m->dup);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static int connect_client(MQTTClient c, int v5)
{
    int rc, present;
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTProperties props = MQTTProperties_initializer;
        MQTTProperty p;
        MQTTResponse r;
        memset(&p, 0, sizeof p);
        p.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
        p.value.integer4 = 60;
        MQTTProperties_add(&props, &p);
        o.cleanstart = 0;
        r = MQTTClient_connect5(c, &o, &props, NULL);
        rc = r.reasonCode;
        present = o.returned.sessionPresent;
        MQTTResponse_free(r);
        MQTTProperties_free(&props);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.cleansession = 0;
        rc = MQTTClient_connect(c, &o);
        present = o.returned.sessionPresent;
    }
    if (v5)
        printf("connect %d\n", rc); /* sessionPresent: see the top of the file */
    else
        printf("connect %d sessionPresent %d\n", rc, present);
    return rc;
}

static void scenario(const char *name, int v5)
{
    MQTTClient c = NULL, pub = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions po = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;
    char id[32], topic[200];
    int qos;

    printf("== %s\n", name);
    tu_step(name);
    snprintf(id, sizeof id, "%s", tu_client_id("sess"));
    snprintf(topic, sizeof topic, "%s", tu_topic(name));
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    MQTTClient_setCallbacks(c, NULL, NULL, arrived, NULL);
    connect_client(c, v5);
    if (v5) {
        MQTTResponse r = MQTTClient_subscribe5(c, topic, 2, NULL, NULL);
        printf("subscribe5 %d\n", r.reasonCode);
        MQTTResponse_free(r);
        printf("disconnect5 %d\n", MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL));
    } else {
        printf("subscribe %d\n", MQTTClient_subscribe(c, topic, 2));
        printf("disconnect %d\n", MQTTClient_disconnect(c, 1000));
    }

    MQTTClient_create(&pub, tu_env("MQTT_TEST_URI"), tu_client_id("spub"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    MQTTClient_connect(pub, &po);
    for (qos = 0; qos <= 2; qos++) {
        char payload[16];
        snprintf(payload, sizeof payload, "away-q%d", qos);
        MQTTClient_publish(pub, topic, (int)strlen(payload), payload, qos, 0, &dt);
        if (qos)
            MQTTClient_waitForCompletion(pub, dt, 5000);
    }
    MQTTClient_disconnect(pub, 1000);
    MQTTClient_destroy(&pub);

    connect_client(c, v5);
    ev_wait(2, 5000);
    ev_wait(3, 300); /* a third (the QoS 0 one) would show here */
    ev_flush("  ");

    /* leave no session behind */
    if (v5)
        MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL);
    else
        MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), id, MQTTCLIENT_PERSISTENCE_NONE, NULL);
    MQTTClient_connect(c, &po);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
}

int main(void)
{
    check_library();
    scenario("v311", 0);
    scenario("v5", 1);
    return 0;
}
