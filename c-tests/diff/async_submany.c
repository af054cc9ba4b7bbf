/*
 * subscribeMany with mixed QoS on MQTT 3.1.1: onSuccess's alt.qosList has
 * the granted QoS per topic (alt.qos for a single topic), messages arrive at
 * min(publish, granted) QoS, and unsubscribeMany stops them.
 */
// link: paho-mqtt3a
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static int count;

static void on_many(void *ctx, MQTTAsync_successData *r)
{
    char list[64] = "";
    /* Read once, before the event that lets main go on and change it for the next call. */
    int topics = count;
    int i, n = 0;
    for (i = 0; topics > 1 && i < topics; i++) /* alt.qos shares the union */
        n += snprintf(list + n, sizeof list - n, " %d", r->alt.qosList[i]);
    ta_event("%s onSuccess token=%d qosList:%s", (char *)ctx, r->token, topics > 1 ? list : " (one topic)");
    if (topics == 1)
        ta_event("%s   alt.qos=%d", (char *)ctx, r->alt.qos);
}
static void on_ok(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s onSuccess token=%d", (char *)ctx, r->token);
}
static void on_fail(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("%s onFailure token=%d code=%d", (char *)ctx, r->token, r->code);
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    const char *t = strrchr(topic, '/');
    (void)topic_len;
    ta_event("%s arrived %s qos=%d '%.*s'", (char *)ctx, t ? t + 1 : topic, m->qos, m->payloadlen, (char *)m->payload);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void settle(int n)
{
    ta_wait_events(n, 5000);
    tu_sleep_ms(300);
    ta_print_events_grouped("  ");
}

int main(void)
{
    MQTTAsync s, p;
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    char *topics[3], *made[4];
    int qos[3] = { 2, 0, 1 }, i, rc;

    check_library_async();
    s = ta_create(tu_env("MQTT_TEST_URI"), "s", MQTTVERSION_DEFAULT);
    p = ta_create(tu_env("MQTT_TEST_URI"), "p", MQTTVERSION_DEFAULT);
    MQTTAsync_setCallbacks(s, "s", NULL, arrived, NULL);
    if (ta_connect(s, NULL, MQTTVERSION_3_1_1) || ta_connect(p, NULL, MQTTVERSION_3_1_1))
        tu_fail("connect");
    topics[0] = made[0] = strdup(tu_topic("m/two"));
    topics[1] = made[1] = strdup(tu_topic("m/zero"));
    topics[2] = made[2] = strdup(tu_topic("m/one"));

    o.context = "s";
    o.onSuccess = on_many;
    o.onFailure = on_fail;
    count = 3;
    rc = MQTTAsync_subscribeMany(s, 3, topics, qos, &o);
    printf("subscribeMany 3 rc=%d token=%d\n", rc, o.token);
    settle(1);
    count = 1;
    topics[0] = made[3] = strdup(tu_topic("single"));
    rc = MQTTAsync_subscribeMany(s, 1, topics, qos, &o);
    printf("subscribeMany 1 rc=%d token=%d\n", rc, o.token);
    settle(2);

    for (i = 0; i < 3; i++) {
        const char *name[] = { "m/two", "m/zero", "m/one" };
        rc = MQTTAsync_send(p, tu_topic(name[i]), 3, "all", 2, 0, NULL);
        printf("send %s qos=2 rc=%d\n", name[i], rc);
        settle(1);
    }

    topics[0] = (char *)tu_topic("m/two");
    o.onSuccess = on_ok;
    rc = MQTTAsync_unsubscribeMany(s, 3, topics, &o);
    printf("unsubscribeMany rc=%d token=%d\n", rc, o.token);
    settle(1);
    for (i = 0; i < 3; i++)
        MQTTAsync_send(p, topics[i], 5, "after", 2, 0, NULL);
    MQTTAsync_send(p, tu_topic("single"), 6, "single", 2, 0, NULL);
    settle(1);
    ta_close(&p);
    ta_close(&s);
    for (i = 0; i < 4; i++)
        free(made[i]);
    return 0;
}
