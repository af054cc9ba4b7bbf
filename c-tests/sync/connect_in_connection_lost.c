/*
 * Connect from inside connectionLost (ours only). Client A connects with
 * callbacks; client B connects with the same client id, so the broker closes
 * A's connection (session takeover) and A's connectionLost runs. Inside it, A
 * reconnects with MQTTClient_connect (which must not deadlock on the callback
 * thread) and subscribes; back on the main thread A is connected and gets a
 * message on that subscription through messageArrived.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static MQTTClient a;
static char id[32];
static int reconnect_rc = 99, resub_rc = 99, lost_calls;

static void lost(void *ctx, char *cause)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    (void)ctx;
    (void)cause;
    if (++lost_calls > 1)
        return; /* B is kicked by our reconnect; A is not lost again */
    tu_step("connect inside connectionLost");
    reconnect_rc = MQTTClient_connect(a, &o);
    tu_step("subscribe inside connectionLost");
    resub_rc = MQTTClient_subscribe(a, tu_topic("lost/after"), 1);
    ev_add("reconnected");
}

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    ev_add("arrived %s", tu_topic_suffix(topic));
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

int main(void)
{
    MQTTClient b = NULL, pub = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    const char *uri;

    check_library();
    tu_watchdog(30);
    uri = tu_env("MQTT_TEST_URI");
    snprintf(id, sizeof id, "%s", tu_client_id("lost"));
    TU_EXPECT_RC(MQTTClient_create(&a, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(a, NULL, lost, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(a, &o), 0);

    tu_step("client B takes over A's client id");
    TU_EXPECT_RC(MQTTClient_create(&b, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(b, &o), 0);

    tu_step("waiting for connectionLost to reconnect");
    if (ev_wait(1, 15000) < 1)
        tu_fail("connectionLost did not finish reconnecting (lost_calls=%d)", lost_calls);
    TU_EXPECT_RC(reconnect_rc, MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(resub_rc, MQTTCLIENT_SUCCESS);
    TU_ASSERT(MQTTClient_isConnected(a));

    tu_step("message on the subscription made inside connectionLost");
    TU_EXPECT_RC(MQTTClient_create(&pub, uri, tu_client_id("lostpub"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(pub, &o), 0);
    TU_EXPECT_RC(MQTTClient_publish(pub, tu_topic("lost/after"), 2, "hi", 1, 0, NULL), 0);
    if (ev_wait(2, 10000) < 2)
        tu_fail("no message after reconnecting inside connectionLost");
    ev_flush("");

    MQTTClient_disconnect(pub, 1000);
    MQTTClient_disconnect(a, 1000);
    MQTTClient_destroy(&pub);
    MQTTClient_destroy(&a);
    MQTTClient_destroy(&b);
    printf("PASS\n");
    return 0;
}
