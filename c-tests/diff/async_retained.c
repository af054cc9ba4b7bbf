/*
 * Retained messages on the async API: retained publishes at QoS 0, 1 and 2
 * reach a live subscriber with retained=0 and a later subscriber with
 * retained=1 at min(publish, subscribe) QoS; a newer retained message
 * replaces the old one; an empty retained message clears it.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    const char *t = strrchr(topic, '/');
    (void)topic_len;
    ta_event("%s arrived %s qos=%d retained=%d dup=%d '%.*s'", (char *)ctx, t ? t + 1 : topic, m->qos,
             m->retained, m->dup, m->payloadlen, (char *)m->payload);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void pub(MQTTAsync c, const char *topic, const char *payload, int qos, int retained)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_done d;
    int rc;
    ta_response(&o, &d, 0);
    rc = MQTTAsync_send(c, tu_topic(topic), (int)strlen(payload), payload, qos, retained, &o);
    printf("send %s '%s' qos=%d retained=%d rc=%d\n", topic, payload, qos, retained, rc);
    printf("  onSuccess=%d\n", ta_wait_done(&d, 5000));
}

/* Subscribes a new client to one topic and prints what it gets. */
static MQTTAsync late_subscriber(const char *name, const char *topic, int qos, int expect)
{
    MQTTAsync c = ta_create(tu_env("MQTT_TEST_URI"), name, MQTTVERSION_DEFAULT);
    MQTTAsync_setCallbacks(c, (void *)name, NULL, arrived, NULL);
    if (ta_connect(c, NULL, MQTTVERSION_3_1_1))
        tu_fail("connect %s", name);
    ta_subscribe(c, tu_topic(topic), qos, 0);
    ta_wait_events(expect, 5000);
    tu_sleep_ms(300);
    printf("%s subscribed to %s at qos %d:\n", name, topic, qos);
    ta_print_events_grouped("  ");
    return c;
}

int main(void)
{
    MQTTAsync p, live, a, b, c;
    check_library_async();
    p = ta_create(tu_env("MQTT_TEST_URI"), "pub", MQTTVERSION_DEFAULT);
    if (ta_connect(p, NULL, MQTTVERSION_3_1_1))
        tu_fail("connect pub");
    live = late_subscriber("live", "r/#", 2, 0);

    pub(p, "r/q0", "zero", 0, 1);
    pub(p, "r/q1", "one", 1, 1);
    pub(p, "r/q2", "two", 2, 1);
    ta_wait_events(3, 5000);
    tu_sleep_ms(200);
    ta_print_events_grouped("  ");

    a = late_subscriber("a", "r/q2", 2, 1);
    b = late_subscriber("b", "r/q2", 1, 1);
    c = late_subscriber("c", "r/q0", 2, 1);
    ta_close(&a);
    ta_close(&b);
    ta_close(&c);

    pub(p, "r/q1", "newer", 1, 1);
    pub(p, "r/q2", "", 1, 1);
    ta_wait_events(2, 5000);
    tu_sleep_ms(200);
    ta_print_events_grouped("  ");
    a = late_subscriber("d", "r/q1", 2, 1);
    b = late_subscriber("e", "r/q2", 2, 0);
    ta_close(&a);
    ta_close(&b);

    pub(p, "r/q0", "", 0, 1);
    pub(p, "r/q1", "", 0, 1);
    ta_wait_events(2, 5000);
    tu_sleep_ms(200);
    ta_print_events_grouped("  ");
    ta_close(&live);
    ta_close(&p);
    return 0;
}
