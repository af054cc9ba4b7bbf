/*
 * destroy while 1,000 QoS 1 sends are in flight (ours only): no crash, and no
 * callback of that client after MQTTAsync_destroy returns. The client is
 * subscribed to its own topic, so onSuccess, deliveryComplete and
 * messageArrived are all running when destroy comes; every callback aborts
 * if it sees the flag set right after destroy returned. Done twice: destroy
 * without disconnect, and destroy right after a disconnect with no wait.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

#define N 1000

static volatile int destroyed;
static int sent_ok, sent_failed, arrivals;

static void guard(const char *cb)
{
    if (destroyed) {
        tu_log("FAIL: %s called after destroy returned", cb);
        abort();
    }
}

static void on_sent(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
    guard("onSuccess");
    ta_lock();
    sent_ok++;
    ta_unlock_notify();
}

static void on_failed(void *ctx, MQTTAsync_failureData *r)
{
    (void)ctx;
    (void)r;
    guard("onFailure");
    ta_lock();
    sent_failed++;
    ta_unlock_notify();
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    guard("messageArrived");
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    ta_lock();
    arrivals++;
    ta_unlock_notify();
    return 1;
}

static void delivered(void *ctx, MQTTAsync_token t)
{
    (void)ctx;
    (void)t;
    guard("deliveryComplete");
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    guard("connectionLost");
}

static int some_arrived(void *arg) { (void)arg; return arrivals >= 10; }

static void scenario(int disconnect_first)
{
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    const char *topic = tu_topic(disconnect_first ? "d" : "nd");
    int i;

    /* Paho counts queued sends against maxBufferedMessages (default 100)
     * even while connected, and returns MAX_BUFFERED_MESSAGES beyond it. */
    co.maxBufferedMessages = N + 10;
    if (MQTTAsync_createWithOptions(&c, tu_env("MQTT_TEST_URI"), tu_client_id("inflight"),
                                    MQTTCLIENT_PERSISTENCE_NONE, NULL, &co))
        tu_fail("create");

    destroyed = 0;
    sent_ok = sent_failed = arrivals = 0;
    MQTTAsync_setCallbacks(c, NULL, lost, arrived, delivered);
    if (ta_connect(c, NULL, MQTTVERSION_3_1_1))
        tu_fail("connect");
    ta_subscribe(c, topic, 1, 0);
    for (i = 0; i < N; i++) {
        MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
        o.onSuccess = on_sent;
        o.onFailure = on_failed;
        TU_EXPECT_RC(MQTTAsync_send(c, topic, 11, "in flight..", 1, 0, &o), MQTTASYNC_SUCCESS);
    }
    ta_wait_until(some_arrived, NULL, 5000); /* callbacks are running now */
    if (disconnect_first)
        tu_log("disconnect -> %d", MQTTAsync_disconnect(c, NULL));
    MQTTAsync_destroy(&c);
    destroyed = 1;
    tu_log("destroyed with %d onSuccess, %d onFailure, %d arrived so far", sent_ok, sent_failed, arrivals);
    TU_ASSERT(c == NULL);
    tu_sleep_ms(1000); /* a late callback would abort */
    printf("destroy %s with sends in flight: no crash, no callback after destroy\n",
           disconnect_first ? "after disconnect" : "without disconnect");
}

int main(void)
{
    check_library_async();
    scenario(0);
    scenario(1);
    return 0;
}
