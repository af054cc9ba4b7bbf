/*
 * Odd and malformed packets from a broker (differential), each from a fresh
 * fake broker 200 ms after a successful MQTT 3.1.1 CONNACK, to a client with
 * callbacks: a topic with an embedded NUL (messageArrived gets topicLen 3
 * while strlen is 1; MQTTClient_receive returns MQTTCLIENT_TOPICNAME_TRUNCATED),
 * an unknown packet type, an over-long remaining length, a PUBLISH with QoS 3,
 * acks for packet ids never used, a second CONNACK. Prints the callbacks each
 * causes and whether the client still counts as connected 700 ms later (the
 * fake broker keeps the connection open 3 s).
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

/* The embedded-NUL topic through MQTTClient_receive (no callbacks). */
static void receive_nul(const unsigned char *bytes, int len)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_message *m = NULL;
    char uri[64], *topic = NULL;
    int topicLen = -1, rc = 0;
    long long deadline;
    fake_broker *fb = start(bytes, len, uri, sizeof uri);

    tu_step("receive_topic_with_nul");
    MQTTClient_create(&c, uri, tu_client_id("host"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("receive_topic_with_nul: connect %d\n", MQTTClient_connect(c, &o));
    deadline = tu_now_ms() + 2000;
    while (!m && tu_now_ms() < deadline)
        rc = MQTTClient_receive(c, &topic, &topicLen, &m, 500);
    printf("receive_topic_with_nul: rc=%d", rc);
    if (m) {
        printf(" topic='%s' topicLen=%d payload='%.*s'", topic, topicLen, m->payloadlen, (char *)m->payload);
        MQTTClient_freeMessage(&m);
        MQTTClient_free(topic);
    }
    printf("\n");
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    static const unsigned char nul_topic[] = { 0x30, 0x06, 0x00, 0x03, 'a', 0x00, 'b', 'p' };
    static const unsigned char type0[] = { 0x00, 0x00 };
    static const unsigned char type15_v311[] = { 0xf0, 0x00 }; /* AUTH, not in 3.1.1 */
    static const unsigned char long_length[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x7f };
    static const unsigned char qos3[] = { 0x36, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 'p' };
    static const unsigned char puback_unknown[] = { 0x40, 0x02, 0x00, 0x09 };
    static const unsigned char suback_unknown[] = { 0x90, 0x03, 0x00, 0x05, 0x00 };
    static const unsigned char pubrel_unknown[] = { 0x62, 0x02, 0x00, 0x07 };
    static const unsigned char second_connack[] = { 0x20, 0x02, 0x00, 0x00 };

    check_library();
    tu_watchdog(60);
    row("topic_with_nul", nul_topic, sizeof nul_topic);
    receive_nul(nul_topic, sizeof nul_topic);
    row("packet_type_0", type0, sizeof type0);
    row("auth_on_v311", type15_v311, sizeof type15_v311);
    row("remaining_length_5_bytes", long_length, sizeof long_length);
    row("publish_qos3", qos3, sizeof qos3);
    row("puback_unknown_id", puback_unknown, sizeof puback_unknown);
    row("suback_unknown_id", suback_unknown, sizeof suback_unknown);
    row("pubrel_unknown_id", pubrel_unknown, sizeof pubrel_unknown);
    row("second_connack", second_connack, sizeof second_connack);
    return 0;
}
