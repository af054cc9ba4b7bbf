/*
 * Keepalive (differential). keepAliveInterval 1 s: with the real broker,
 * answering PINGREQs, the client stays connected through 3 s of silence;
 * with a fake broker that accepts the connection and then answers nothing,
 * the client notices the missing PINGRESP, calls connectionLost and is
 * disconnected well before the fake broker would close (after 20 s).
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "events.h"
#include "fakebroker.h"
#include "testutil.h"

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void lost(void *ctx, char *cause)
{
    ev_add("%s connectionLost cause=%s", (const char *)ctx, cause ? cause : "NULL");
}

static MQTTClient make(const char *name, const char *uri)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_create(&c, uri, tu_client_id("ka"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    MQTTClient_setCallbacks(c, (void *)name, lost, arrived, NULL);
    o.keepAliveInterval = 1;
    printf("%s: connect %d\n", name, MQTTClient_connect(c, &o));
    return c;
}

int main(void)
{
    static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
    fake_reply rep = { .bytes = connack, .len = sizeof connack, .hold_ms = 20000 };
    fake_broker *fb;
    MQTTClient c;
    char uri[64];
    long long t0;

    check_library();
    tu_step("real broker answers pings");
    c = make("real", tu_env("MQTT_TEST_URI"));
    ev_wait(1, 3000); /* nothing should happen */
    ev_flush("  ");
    printf("real: isConnected %d\n", MQTTClient_isConnected(c));
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);

    tu_step("silent broker");
    fb = fake_start(&rep, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    t0 = tu_now_ms();
    c = make("silent", uri);
    ev_wait(1, 15000);
    tu_log("connection lost after %lld ms", tu_now_ms() - t0);
    ev_flush("  ");
    printf("silent: isConnected %d, broker had closed: %s\n", MQTTClient_isConnected(c),
           fake_closed(fb) ? "yes" : "no");
    MQTTClient_destroy(&c);
    fake_stop(fb);
    return 0;
}
