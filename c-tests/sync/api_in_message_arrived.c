/*
 * Publish and subscribe from inside messageArrived (ours only). When the
 * "start" message arrives, the callback of the same client:
 *   1. publishes at QoS 1 and waits for completion (the PUBACK has to be read
 *      while the callback is still running),
 *   2. subscribes to a new topic (SUBACK likewise),
 *   3. publishes at QoS 2 to that new topic, which must then arrive back in a
 *      later messageArrived.
 * A design that reads the socket on the callback thread deadlocks in step 1
 * or 2; the watchdog turns that into a failure (exit 3).
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static MQTTClient client;
static int sub_rc = 99, pub1_rc = 99, wait1_rc = 99, pub2_rc = 99;

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    const char *suffix = tu_topic_suffix(topic);
    (void)ctx;
    (void)topicLen;
    if (strcmp(suffix, "cb/start") == 0) {
        MQTTClient_deliveryToken dt = 0;
        tu_step("publish QoS 1 + wait inside messageArrived");
        pub1_rc = MQTTClient_publish(client, tu_topic("cb/side"), 4, "side", 1, 0, &dt);
        wait1_rc = MQTTClient_waitForCompletion(client, dt, 5000);
        tu_step("subscribe inside messageArrived");
        sub_rc = MQTTClient_subscribe(client, tu_topic("cb/new"), 2);
        tu_step("publish QoS 2 inside messageArrived");
        pub2_rc = MQTTClient_publish(client, tu_topic("cb/new"), 4, "back", 2, 0, &dt);
        ev_add("start handled");
    } else {
        ev_add("arrived %s '%.*s'", suffix, m->payloadlen, (char *)m->payload);
    }
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

int main(void)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    tu_sub *side;
    char *t;
    MQTTClient_message *m;

    check_library();
    tu_watchdog(20);
    side = tu_sub_open(tu_env("MQTT_TEST_URI"), tu_topic("cb/side"), 1);
    TU_EXPECT_RC(MQTTClient_create(&client, tu_env("MQTT_TEST_URI"), tu_client_id("cbpub"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(client, NULL, NULL, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(client, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(client, tu_topic("cb/start"), 1), 0);
    TU_EXPECT_RC(MQTTClient_publish(client, tu_topic("cb/start"), 5, "start", 1, 0, NULL), 0);

    tu_step("waiting for the callback's work");
    if (ev_wait(2, 10000) < 2)
        tu_fail("expected 'start handled' and the message on the new topic, got %d events", ev_count());
    TU_ASSERT(pub1_rc == MQTTCLIENT_SUCCESS);
    TU_ASSERT(wait1_rc == MQTTCLIENT_SUCCESS);
    TU_ASSERT(sub_rc == MQTTCLIENT_SUCCESS);
    TU_ASSERT(pub2_rc == MQTTCLIENT_SUCCESS);

    m = tu_sub_next(side, 5000, &t);
    TU_ASSERT(m != NULL && m->payloadlen == 4 && memcmp(m->payload, "side", 4) == 0);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(t);
    ev_flush("");

    TU_EXPECT_RC(MQTTClient_disconnect(client, 1000), 0);
    MQTTClient_destroy(&client);
    tu_sub_close(side);
    printf("PASS\n");
    return 0;
}
