/*
 * waitForCompletion on a token that has already completed (ours only): it
 * must return MQTTCLIENT_SUCCESS at once, not wait for an event that already
 * happened. Checked three ways: a second wait on the same token without
 * callbacks; a wait after deliveryComplete already reported the token (with
 * callbacks); and a wait on a token completed long before (after other
 * messages). The timeout passed is longer than the watchdog, so a wait that
 * waits for a new event instead of looking at the state trips the watchdog
 * (exit 3) rather than relying on a timing assertion.
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

#define LONG_WAIT 60000UL /* > watchdog: never reached by a correct library */

static void delivered(void *ctx, MQTTClient_deliveryToken dt)
{
    (void)ctx;
    ev_add("delivered %d", dt);
}

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static MQTTClient connect_client(int with_callbacks)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("waitdone"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    if (with_callbacks)
        TU_EXPECT_RC(MQTTClient_setCallbacks(c, NULL, NULL, arrived, delivered), 0);
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    return c;
}

int main(void)
{
    MQTTClient c;
    MQTTClient_deliveryToken first, dt;
    int i;

    check_library();
    tu_watchdog(20);

    tu_step("no callbacks: wait twice on the same token");
    c = connect_client(0);
    TU_EXPECT_RC(MQTTClient_publish(c, tu_topic("wd"), 1, "a", 1, 0, &dt), 0);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, 5000), MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, LONG_WAIT), MQTTCLIENT_SUCCESS);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);

    tu_step("callbacks: wait after deliveryComplete");
    c = connect_client(1);
    TU_EXPECT_RC(MQTTClient_publish(c, tu_topic("wd"), 1, "b", 2, 0, &first), 0);
    if (ev_wait(1, 10000) < 1)
        tu_fail("deliveryComplete not called");
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, first, LONG_WAIT), MQTTCLIENT_SUCCESS);

    tu_step("callbacks: wait on a token completed before later messages");
    for (i = 0; i < 5; i++)
        TU_EXPECT_RC(MQTTClient_publish(c, tu_topic("wd"), 1, "c", 1, 0, &dt), 0);
    if (ev_wait(6, 10000) < 6)
        tu_fail("deliveryComplete not called for all");
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, first, LONG_WAIT), MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, LONG_WAIT), MQTTCLIENT_SUCCESS);
    ev_flush("");
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    printf("PASS\n");
    return 0;
}
