/*
 * Odd packets from a broker (differential), each from a fresh fake broker
 * 200 ms after a successful MQTT 3.1.1 CONNACK, to a client with callbacks:
 * an over-long remaining length (both close the connection) and a PUBREL for
 * a packet id never used (both stay connected). Prints the
 * callbacks each causes and whether the client still counts as connected
 * 700 ms later (the fake broker keeps the connection open 3 s).
 *
 * Malformed or protocol-violating packets that Paho ignores or delivers (a
 * topic with an embedded NUL, packet type 0, AUTH on 3.1.1, PUBLISH with QoS 3,
 * PUBACK/SUBACK for an unknown id, a second CONNACK) are not here: ours closes
 * the connection on them, a deliberate deviation (c-tests/diff/README.md)
 * asserted by c-tests/sync/hostile_broker_ours.c.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "fakebroker.h"
#include "testutil.h"

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    ev_add("messageArrived topic='%s' strlen=%d topicLen=%d payload='%.*s' qos=%d", topic, (int)strlen(topic), topicLen,
           m->payloadlen, (char *)m->payload, m->qos);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    ev_add("connectionLost cause=%s", cause ? cause : "NULL");
}

static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };

static fake_broker *start(const unsigned char *later, int later_len, char *uri, size_t size)
{
    static fake_reply rep;
    fake_broker *fb;
    memset(&rep, 0, sizeof rep);
    rep.bytes = connack;
    rep.len = sizeof connack;
    rep.hold_ms = 3000;
    rep.later = later;
    rep.later_len = later_len;
    rep.later_ms = 200;
    fb = fake_start(&rep, 1);
    snprintf(uri, size, "tcp://127.0.0.1:%d", fake_port(fb));
    return fb;
}

static void row(const char *name, const unsigned char *bytes, int len)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    char uri[64];
    fake_broker *fb = start(bytes, len, uri, sizeof uri);

    tu_step(name);
    MQTTClient_create(&c, uri, tu_client_id("host"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    MQTTClient_setCallbacks(c, NULL, lost, arrived, NULL);
    printf("%s: connect %d\n", name, MQTTClient_connect(c, &o));
    ev_wait(1, 900);
    ev_wait(2, 200); /* a second callback would show */
    ev_flush("  ");
    printf("%s: isConnected %d\n", name, MQTTClient_isConnected(c));
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    static const unsigned char long_length[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x7f };
    static const unsigned char pubrel_unknown[] = { 0x62, 0x02, 0x00, 0x07 };

    check_library();
    tu_watchdog(60);
    row("remaining_length_5_bytes", long_length, sizeof long_length);
    row("pubrel_unknown_id", pubrel_unknown, sizeof pubrel_unknown);
    return 0;
}
