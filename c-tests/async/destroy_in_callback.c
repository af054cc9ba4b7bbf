/*
 * disconnect and destroy of a client from inside its own callbacks (ours
 * only; Paho forbids this and deadlocks or crashes): from connect's
 * onSuccess, from messageArrived, from connectionLost (the broker drops the
 * client when another connects with its client id) and from disconnect's
 * onSuccess. After destroy returns, no callback of that client may run: each
 * callback aborts if it sees the destroyed flag.
 *
 * Each scenario runs in its own fork()ed child; a crash, abort or hang in one
 * is reported by name.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

enum { IN_CONNECT_SUCCESS, IN_MESSAGE_ARRIVED, IN_CONNECTION_LOST, IN_DISCONNECT_SUCCESS };
static const char *names[] = { "connect onSuccess", "messageArrived", "connectionLost", "disconnect onSuccess" };

static MQTTAsync client;
static int scenario, destroyed, first_connected;
static char client_id[32];

static void guard(const char *cb)
{
    int d;
    ta_lock();
    d = destroyed;
    ta_unlock_notify();
    if (d == 1) {
        tu_log("FAIL: %s called after destroy returned", cb);
        abort();
    }
}

/* Disconnects and destroys the client, from inside a callback. */
static void finish(const char *where)
{
    MQTTAsync c = client;
    int rc = MQTTAsync_disconnect(c, NULL);
    tu_log("disconnect inside %s -> %d", where, rc);
    MQTTAsync_destroy(&c);
    tu_log("destroy inside %s returned, handle %s", where, c ? "not cleared" : "cleared");
    ta_lock();
    destroyed = 1;
    ta_unlock_notify();
}

static void on_disconnected(void *ctx, MQTTAsync_successData *r)
{
    MQTTAsync c = client;
    (void)ctx;
    (void)r;
    guard("disconnect onSuccess");
    MQTTAsync_destroy(&c);
    ta_lock();
    destroyed = 1;
    ta_unlock_notify();
}

static void on_connected(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
    guard("connect onSuccess");
    if (scenario == IN_CONNECT_SUCCESS) {
        finish("connect onSuccess");
    } else if (scenario == IN_MESSAGE_ARRIVED) {
        MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
        MQTTAsync_subscribe(client, tu_topic("self"), 1, &o);
        MQTTAsync_send(client, tu_topic("self"), 2, "hi", 1, 0, NULL);
        MQTTAsync_send(client, tu_topic("self"), 5, "again", 1, 0, NULL);
    } else if (scenario == IN_DISCONNECT_SUCCESS) {
        MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
        d.onSuccess = on_disconnected;
        MQTTAsync_disconnect(client, &d);
    } else {
        ta_lock();
        first_connected = 1; /* the main thread may now steal the id */
        ta_unlock_notify();
    }
}

static void on_failure(void *ctx, MQTTAsync_failureData *r)
{
    (void)ctx;
    guard("onFailure");
    tu_log("onFailure code %d", r ? r->code : 0);
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    guard("messageArrived");
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    if (scenario == IN_MESSAGE_ARRIVED)
        finish("messageArrived");
    return 1;
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    guard("connectionLost");
    if (scenario == IN_CONNECTION_LOST)
        finish("connectionLost");
}

static void delivered(void *ctx, MQTTAsync_token t)
{
    (void)ctx;
    (void)t;
    guard("deliveryComplete");
}

static int is_destroyed(void *arg) { (void)arg; return destroyed; }
static int is_connected(void *arg) { (void)arg; return first_connected; }

static int run(void *arg)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    scenario = *(int *)arg;
    tu_step(names[scenario]);
    snprintf(client_id, sizeof client_id, "%s", tu_client_id("dic"));
    if (MQTTAsync_create(&client, tu_env("MQTT_TEST_URI"), client_id, MQTTCLIENT_PERSISTENCE_NONE, NULL))
        tu_fail("create");
    MQTTAsync_setCallbacks(client, NULL, lost, arrived, delivered);
    o.onSuccess = on_connected;
    o.onFailure = on_failure;
    TU_EXPECT_RC(MQTTAsync_connect(client, &o), MQTTASYNC_SUCCESS);
    if (scenario == IN_CONNECTION_LOST) {
        MQTTAsync thief = NULL;
        if (!ta_wait_until(is_connected, NULL, 10000))
            tu_fail("first connect did not complete");
        /* Same client id: the broker closes the first connection. */
        MQTTAsync_create(&thief, tu_env("MQTT_TEST_URI"), client_id, MQTTCLIENT_PERSISTENCE_NONE, NULL);
        if (ta_connect(thief, NULL, MQTTVERSION_3_1_1))
            tu_fail("thief connect");
        if (!ta_wait_until(is_destroyed, NULL, 10000))
            tu_fail("no destroy from connectionLost within 10 s");
        ta_close(&thief);
    } else if (!ta_wait_until(is_destroyed, NULL, 10000)) {
        tu_fail("no destroy from %s within 10 s", names[scenario]);
    }
    tu_sleep_ms(500); /* any late callback aborts */
    return 0;
}

int main(void)
{
    int i, failed = 0;
    check_library_async();
    tu_watchdog(0);
    for (i = IN_CONNECT_SUCCESS; i <= IN_DISCONNECT_SUCCESS; i++) {
        int rc = -1, how = tu_in_child(run, &i, 15, &rc);
        const char *what = how == TU_CHILD_OK ? "ok" : how == TU_CHILD_CRASH ? "crash" : how == TU_CHILD_HANG ? "hang" : "error";
        printf("destroy inside %s: %s\n", names[i], what);
        failed += how != TU_CHILD_OK;
    }
    if (failed)
        tu_fail("%d scenarios crashed, hung or failed", failed);
    return 0;
}
