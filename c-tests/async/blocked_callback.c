/*
 * A callback that blocks delays only its own client (ours only; Paho runs
 * every client's callbacks on shared threads, so one blocked messageArrived
 * stalls them all). Client "slow" blocks in messageArrived for 3 s; while it
 * is blocked, client "fast" in the same process subscribes, sends 100 QoS 1
 * messages to itself and receives all of them, with every send's onSuccess.
 * All of that must finish before the slow callback returns.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

#define N 100
#define BLOCK_MS 3000

static int slow_blocked, slow_returned, fast_arrived, fast_sent;

static int slow_arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    ta_lock();
    slow_blocked = 1;
    ta_unlock_notify();
    tu_log("slow: blocking in messageArrived for %d ms", BLOCK_MS);
    tu_sleep_ms(BLOCK_MS);
    ta_lock();
    slow_returned = 1;
    ta_unlock_notify();
    return 1;
}

static int fast_on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    ta_lock();
    fast_arrived++;
    ta_unlock_notify();
    return 1;
}

static void fast_on_sent(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
    ta_lock();
    fast_sent++;
    ta_unlock_notify();
}

static int blocked(void *arg) { (void)arg; return slow_blocked; }
static int fast_done(void *arg) { (void)arg; return (fast_arrived >= N && fast_sent >= N) || slow_returned; }

int main(void)
{
    const char *uri = tu_env("MQTT_TEST_URI");
    MQTTAsync slow, fast;
    long long t0;
    int i, arrived, sent, returned;

    check_library_async();
    slow = ta_create(uri, "slow", MQTTVERSION_DEFAULT);
    fast = ta_create(uri, "fast", MQTTVERSION_DEFAULT);
    MQTTAsync_setCallbacks(slow, NULL, NULL, slow_arrived, NULL);
    MQTTAsync_setCallbacks(fast, NULL, NULL, fast_on_message, NULL);
    if (ta_connect(slow, NULL, MQTTVERSION_3_1_1) || ta_connect(fast, NULL, MQTTVERSION_3_1_1))
        tu_fail("connect");
    ta_subscribe(slow, tu_topic("slow"), 1, 0);

    TU_EXPECT_RC(MQTTAsync_send(slow, tu_topic("slow"), 5, "block", 1, 0, NULL), MQTTASYNC_SUCCESS);
    if (!ta_wait_until(blocked, NULL, 5000))
        tu_fail("slow client's messageArrived was not called");
    t0 = tu_now_ms();

    tu_step("fast client works while the slow one is blocked");
    ta_subscribe(fast, tu_topic("fast"), 1, 0);
    for (i = 0; i < N; i++) {
        MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
        char payload[16];
        snprintf(payload, sizeof payload, "m%d", i);
        o.onSuccess = fast_on_sent;
        TU_EXPECT_RC(MQTTAsync_send(fast, tu_topic("fast"), (int)strlen(payload), payload, 1, 0, &o),
                     MQTTASYNC_SUCCESS);
    }
    ta_wait_until(fast_done, NULL, BLOCK_MS + 2000);
    ta_lock();
    arrived = fast_arrived;
    sent = fast_sent;
    returned = slow_returned;
    ta_unlock_notify();
    tu_log("fast: %d sent, %d arrived after %lld ms; slow callback returned: %d", sent, arrived,
           tu_now_ms() - t0, returned);
    printf("fast client: %d of %d onSuccess, %d of %d arrived; slow callback had %s\n", sent, N, arrived, N,
           returned ? "returned (too late)" : "not returned yet");
    if (returned || arrived < N || sent < N)
        tu_fail("the fast client was held up by the slow client's blocked callback "
                "(%d sent, %d arrived before the slow callback returned)", sent, arrived);
    ta_close(&fast);
    ta_close(&slow);
    return 0;
}
