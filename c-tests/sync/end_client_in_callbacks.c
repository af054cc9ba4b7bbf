/*
 * Disconnect and destroy a client from inside its own callbacks (ours only):
 * MQTTClient_disconnect and MQTTClient_destroy of the same client called from
 * messageArrived, from deliveryComplete, and (destroy) from connectionLost.
 * Each must return (no self-join, no deadlock on the callback thread), the
 * callback must get to its end, disconnect must return success and leave the
 * client disconnected, and the library must still work afterwards (a new
 * client connects). Each case runs in a fork()ed child with its own watchdog,
 * so a hang or crash names the case.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

enum action { DISCONNECT, DESTROY };
enum where { IN_ARRIVED, IN_DELIVERED, IN_LOST };

struct tcase { const char *name; enum action action; enum where where; };

static MQTTClient client;
static const struct tcase *current;
static int action_rc = 99, after_connected = 99;

static void act(const char *where)
{
    tu_step(where);
    if (current->action == DISCONNECT) {
        action_rc = MQTTClient_disconnect(client, 1000);
        after_connected = MQTTClient_isConnected(client);
    } else {
        MQTTClient_destroy(&client);
        action_rc = client == NULL ? 0 : -100; /* destroy sets the handle to NULL */
    }
    ev_add("callback finished");
}

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    if (current->where == IN_ARRIVED)
        act("action inside messageArrived");
    return 1;
}

static void delivered(void *ctx, MQTTClient_deliveryToken dt)
{
    (void)ctx;
    (void)dt;
    if (current->where == IN_DELIVERED)
        act("action inside deliveryComplete");
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    if (current->where == IN_LOST)
        act("action inside connectionLost");
}

static int run_case(void *arg)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    const char *uri = tu_env("MQTT_TEST_URI");
    MQTTClient other = NULL;
    char id[32];

    current = arg;
    snprintf(id, sizeof id, "%s", tu_client_id("end"));
    TU_EXPECT_RC(MQTTClient_create(&client, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(client, NULL, lost, arrived, delivered), 0);
    TU_EXPECT_RC(MQTTClient_connect(client, &o), 0);
    switch (current->where) {
    case IN_ARRIVED:
        TU_EXPECT_RC(MQTTClient_subscribe(client, tu_topic("end"), 1), 0);
        TU_EXPECT_RC(MQTTClient_publish(client, tu_topic("end"), 1, "x", 0, 0, NULL), 0);
        break;
    case IN_DELIVERED:
        TU_EXPECT_RC(MQTTClient_publish(client, tu_topic("end"), 1, "x", 1, 0, NULL), 0);
        break;
    case IN_LOST: /* session takeover closes our connection */
        TU_EXPECT_RC(MQTTClient_create(&other, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
        TU_EXPECT_RC(MQTTClient_connect(other, &o), 0);
        break;
    }
    tu_step("waiting for the callback to finish");
    if (ev_wait(1, 10000) < 1)
        tu_fail("%s: callback did not finish", current->name);
    if (action_rc != 0)
        tu_fail("%s: action returned %d", current->name, action_rc);
    if (current->action == DISCONNECT && after_connected != 0)
        tu_fail("%s: still connected after disconnect", current->name);

    tu_step("library still usable");
    if (current->action == DISCONNECT)
        MQTTClient_destroy(&client);
    if (other) {
        MQTTClient_disconnect(other, 1000);
        MQTTClient_destroy(&other);
    }
    TU_EXPECT_RC(MQTTClient_create(&other, uri, tu_client_id("end2"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(other, &o), 0);
    TU_EXPECT_RC(MQTTClient_disconnect(other, 1000), 0);
    MQTTClient_destroy(&other);
    return 0;
}

int main(void)
{
    static const struct tcase cases[] = {
        { "disconnect_in_messageArrived", DISCONNECT, IN_ARRIVED },
        { "destroy_in_messageArrived", DESTROY, IN_ARRIVED },
        { "disconnect_in_deliveryComplete", DISCONNECT, IN_DELIVERED },
        { "destroy_in_deliveryComplete", DESTROY, IN_DELIVERED },
        { "destroy_in_connectionLost", DESTROY, IN_LOST },
    };
    size_t i;
    int failures = 0;

    check_library();
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = 0, how = tu_in_child(run_case, (void *)&cases[i], 20, &rc);
        const char *what = how == TU_CHILD_OK ? "ok" : how == TU_CHILD_CRASH ? "crash" : how == TU_CHILD_HANG ? "hang" : "fail";
        printf("%s: %s\n", cases[i].name, what);
        if (how != TU_CHILD_OK)
            failures++;
    }
    if (failures)
        tu_fail("%d of %d cases failed", failures, (int)(sizeof cases / sizeof cases[0]));
    printf("PASS\n");
    return 0;
}
