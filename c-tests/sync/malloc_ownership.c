/*
 * Everything the library hands over is malloc'ed (ours only): the topic and
 * message from messageArrived and from MQTTClient_receive, and the token
 * array from getPendingDeliveryTokens, are released here with plain free()
 * (message payload and struct separately, as MQTTClient_freeMessage does),
 * not with MQTTClient_free*. glibc aborts on free() of memory it did not
 * hand out, so a library that uses another allocator fails; run under ASan
 * or valgrind for a stricter check. Debian's Paho fails this: its build wraps
 * malloc with a tracking header (Heap.c), so plain free() of the topic, the
 * payload or the message aborts with "free(): invalid pointer". Ours is a
 * superset: both free() and MQTTClient_free work.
 */
#include <stdio.h>
#include <stdlib.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static void release(char *topic, MQTTClient_message *m)
{
    MQTTProperties_free(&m->properties);
    free(m->payload);
    free(m);
    free(topic);
}

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    ev_add("arrived %s", tu_topic_suffix(topic));
    release(topic, m);
    return 1;
}

int main(void)
{
    MQTTClient c = NULL, r = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt, *tokens = NULL;
    MQTTClient_message *m = NULL;
    char *topic = NULL;
    int len;
    long long deadline;

    check_library();
    tu_step("messageArrived");
    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("own"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(c, NULL, NULL, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(c, tu_topic("own/cb"), 1), 0);
    TU_EXPECT_RC(MQTTClient_publish(c, tu_topic("own/cb"), 4, "data", 1, 0, &dt), 0);
    if (ev_wait(1, 5000) < 1)
        tu_fail("no message");

    tu_step("receive");
    TU_EXPECT_RC(MQTTClient_create(&r, tu_env("MQTT_TEST_URI"), tu_client_id("own2"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(r, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(r, tu_topic("own/rx"), 1), 0);
    TU_EXPECT_RC(MQTTClient_publish(r, tu_topic("own/rx"), 4, "data", 1, 0, &dt), 0);
    deadline = tu_now_ms() + 5000;
    while (!m && tu_now_ms() < deadline)
        MQTTClient_receive(r, &topic, &len, &m, 500);
    TU_ASSERT(m != NULL);
    release(topic, m);

    tu_step("getPendingDeliveryTokens");
    /* Leave a message in flight: publish and ask before the PUBACK (if the
     * PUBACK wins, tokens is NULL and there is nothing to free). */
    TU_EXPECT_RC(MQTTClient_publish(r, tu_topic("own/rx"), 4, "more", 2, 0, &dt), 0);
    TU_EXPECT_RC(MQTTClient_getPendingDeliveryTokens(r, &tokens), 0);
    free(tokens);

    MQTTClient_disconnect(c, 1000);
    MQTTClient_disconnect(r, 1000);
    MQTTClient_destroy(&c);
    MQTTClient_destroy(&r);
    printf("PASS\n");
    return 0;
}
