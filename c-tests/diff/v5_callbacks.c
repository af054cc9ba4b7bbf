/*
 * MQTT 5 callbacks (differential): setPublished reports each acknowledgment
 * (token, packet type, reason code, properties) for QoS 1 and 2 publishes;
 * on a session takeover (a second client with the same id) and on a
 * DISCONNECT with reason 0x8E and a reason string from a fake broker, the
 * output shows which of disconnected / connectionLost run, in order, with
 * what arguments.
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "events.h"
#include "fakebroker.h"
#include "testutil.h"

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)topicLen;
    ev_add("%s arrived %s", (const char *)ctx, tu_topic_suffix(topic));
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void delivered(void *ctx, MQTTClient_deliveryToken dt)
{
    ev_add("%s deliveryComplete %d", (const char *)ctx, dt);
}

static void lost(void *ctx, char *cause)
{
    ev_add("%s connectionLost cause=%s", (const char *)ctx, cause ? cause : "NULL");
}

static void published(void *ctx, int dt, int packet_type, MQTTProperties *props, enum MQTTReasonCodes rc)
{
    char p[300];
    tu_format_props(p, sizeof p, props);
    ev_add("%s published token=%d packet_type=%d reasonCode=%d props=[%s]", (const char *)ctx, dt, packet_type, rc, p);
}

static void disconnected(void *ctx, MQTTProperties *props, enum MQTTReasonCodes rc)
{
    char p[300];
    tu_format_props(p, sizeof p, props);
    ev_add("%s disconnected reasonCode=%d props=[%s]", (const char *)ctx, rc, p);
}

static MQTTClient make(const char *name, const char *id, const char *uri)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse r;
    co.MQTTVersion = MQTTVERSION_5;
    MQTTClient_createWithOptions(&c, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    printf("%s: setCallbacks %d setPublished %d setDisconnected %d\n", name,
           MQTTClient_setCallbacks(c, (void *)name, lost, arrived, delivered),
           MQTTClient_setPublished(c, (void *)name, published),
           MQTTClient_setDisconnected(c, (void *)name, disconnected));
    r = MQTTClient_connect5(c, &o, NULL, NULL);
    printf("%s: connect5 %d\n", name, r.reasonCode);
    MQTTResponse_free(r);
    return c;
}

int main(void)
{
    MQTTClient a, b;
    MQTTClient_deliveryToken dt;
    MQTTResponse r;
    char id[32];
    int qos;

    check_library();
    snprintf(id, sizeof id, "%s", tu_client_id("v5cb"));
    a = make("a", id, tu_env("MQTT_TEST_URI"));
    for (qos = 1; qos <= 2; qos++) {
        r = MQTTClient_publish5(a, tu_topic("v5cb"), 1, "x", qos, 0, NULL, &dt);
        printf("a: publish5 qos%d reasonCode=%d token=%d\n", qos, r.reasonCode, dt);
        MQTTResponse_free(r);
        printf("a: waitForCompletion %d\n", MQTTClient_waitForCompletion(a, dt, 5000));
        ev_wait(2 * qos, 5000); /* published + deliveryComplete each */
    }
    ev_flush("  ");

    b = make("b", id, tu_env("MQTT_TEST_URI")); /* takes over a's session */
    ev_wait(1, 5000);
    ev_wait(3, 500); /* a second or third callback would show */
    ev_flush("  ");
    printf("a: isConnected %d\n", MQTTClient_isConnected(a));
    MQTTClient_disconnect5(b, 1000, MQTTREASONCODE_SUCCESS, NULL);
    MQTTClient_destroy(&a);
    MQTTClient_destroy(&b);

    {
        /* CONNACK (success); 300 ms later DISCONNECT 0x8E with reason
         * string "bye" (sent together with the CONNACK, Paho sometimes hangs
         * in connect5); the connection is closed 1.5 s after that. */
        static const unsigned char connack[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
        static const unsigned char disc[] = { 0xe0, 0x08, 0x8e, 0x06, 0x1f, 0x00, 0x03, 'b', 'y', 'e' };
        fake_reply rep = { .bytes = connack, .len = sizeof connack, .hold_ms = 1800,
                           .later = disc, .later_len = sizeof disc, .later_ms = 300 };
        fake_broker *fb = fake_start(&rep, 1);
        char uri[64];
        snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
        a = make("f", tu_client_id("v5fake"), uri);
        ev_wait(1, 5000);
        ev_wait(3, 500);
        ev_flush("  ");
        printf("f: isConnected %d\n", MQTTClient_isConnected(a));
        MQTTClient_destroy(&a);
        fake_stop(fb);
    }
    return 0;
}
