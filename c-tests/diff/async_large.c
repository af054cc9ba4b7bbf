/*
 * Large messages through the asynchronous API, MQTT 3.1.1 and 5, QoS 0, 1 and
 * 2: sizes on both sides of the points where our library changes how it
 * writes a payload (from where it keeps it, beside the headers, from 64 KiB)
 * and how it reads one (straight into the buffer messageArrived gets, from
 * 256 KiB), up to 3 MiB. Each payload is a pattern made from its size and
 * QoS; the subscriber checks every byte, and so does the publisher's onSuccess,
 * whose message is the one that was sent (ours hands back the session's copy).
 * Then a burst of eight 300 KiB messages sent without waiting must arrive
 * whole and in order, and one size again with the protocol trace on (which
 * makes ours copy large payloads as before).
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    ta_event("arrived qos=%d len=%d intact=%d", m->qos, m->payloadlen,
             tu_pattern_intact(m->payload, m->payloadlen, m->qos));
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void on_sent(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    ta_event("sent qos=%d len=%d intact=%d", r->alt.pub.message.qos, r->alt.pub.message.payloadlen,
             tu_pattern_intact(r->alt.pub.message.payload, r->alt.pub.message.payloadlen,
                    r->alt.pub.message.qos));
}

static void on_sent5(void *ctx, MQTTAsync_successData5 *r)
{
    (void)ctx;
    ta_event("sent5 qos=%d len=%d intact=%d", r->alt.pub.message.qos,
             r->alt.pub.message.payloadlen,
             tu_pattern_intact(r->alt.pub.message.payload, r->alt.pub.message.payloadlen,
                    r->alt.pub.message.qos));
}

static void on_failed(void *ctx, MQTTAsync_failureData *r)
{
    (void)ctx;
    ta_event("send failed code=%d", r ? r->code : 0);
}

static void on_failed5(void *ctx, MQTTAsync_failureData5 *r)
{
    (void)ctx;
    ta_event("send failed code=%d", r ? r->code : 0);
}

static void send_one(MQTTAsync pub, const char *topic, long size, int qos, int v5)
{
    MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
    MQTTAsync_message m = MQTTAsync_message_initializer;
    unsigned char *payload = tu_pattern_payload(size, qos);
    int rc;

    if (v5) {
        ro.onSuccess5 = on_sent5;
        ro.onFailure5 = on_failed5;
    } else {
        ro.onSuccess = on_sent;
        ro.onFailure = on_failed;
    }
    m.payload = payload;
    m.payloadlen = (int)size;
    m.qos = qos;
    rc = MQTTAsync_sendMessage(pub, topic, &m, &ro);
    /* The library has its own copy once the call returns. */
    memset(payload, 0, (size_t)size);
    free(payload);
    if (rc != MQTTASYNC_SUCCESS)
        printf("send size=%ld qos=%d rc=%d\n", size, qos, rc);
}

/* Waits for n events and prints them, the publisher's and the subscriber's apart. */
static void settle(int n)
{
    if (ta_wait_events(n, 60000) < n)
        tu_log("only %d of %d events", ta_event_count(), n);
    tu_sleep_ms(100);
    ta_print_events_grouped("  ");
}

static void trace_sink(enum MQTTASYNC_TRACE_LEVELS level, char *message)
{
    (void)level;
    (void)message;
}

static void run(int version)
{
    static const long sizes[] = { 65535, 65536, 262143, 262144, 1048589, 3 * 1048576 + 7 };
    int v5 = version == MQTTVERSION_5;
    const char *topic = tu_topic(v5 ? "large5" : "large");
    MQTTAsync sub = ta_create(tu_env("MQTT_TEST_URI"), "sub", version);
    MQTTAsync pub = ta_create(tu_env("MQTT_TEST_URI"), "pub", version);
    size_t s;
    int qos, i;

    printf("MQTT version %d\n", version);
    if (MQTTAsync_setCallbacks(sub, NULL, NULL, arrived, NULL) != MQTTASYNC_SUCCESS)
        tu_fail("setCallbacks");
    if (ta_connect(sub, NULL, version) || ta_connect(pub, NULL, version))
        tu_fail("connect failed");
    ta_subscribe(sub, topic, 2, v5);

    for (qos = 0; qos <= 2; qos++)
        for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            printf("size %ld qos %d\n", sizes[s], qos);
            send_one(pub, topic, sizes[s], qos, v5);
            settle(2);
        }

    printf("burst of 8 x 300 KiB at QoS 1\n");
    for (i = 0; i < 8; i++)
        send_one(pub, topic, 300 * 1024 + i, 1, v5);
    settle(16);

    printf("protocol trace on: 1 MiB at QoS 1\n");
    MQTTAsync_setTraceCallback(trace_sink);
    MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_PROTOCOL);
    send_one(pub, topic, 1048576, 1, v5);
    settle(2);
    MQTTAsync_setTraceCallback(NULL);

    ta_close(&pub);
    ta_close(&sub);
}

int main(void)
{
    check_library_async();
    tu_watchdog(240);
    run(MQTTVERSION_3_1_1);
    run(MQTTVERSION_5);
    return 0;
}
