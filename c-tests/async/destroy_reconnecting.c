/*
 * destroy while the client is reconnecting (ours only): a client with
 * automaticReconnect loses its broker (the test's own mosquitto, stopped for
 * good) and keeps retrying; destroy must return promptly, no callback of the
 * client may run after it, buffered sends do not keep it alive, and once the
 * last client is gone the library's threads are joined.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "ownbroker.h"
#include "testutil.h"
#include "testutil_async.h"

static volatile int destroyed;
static ta_done outcome; /* connect's context: reconnects may report to it */
static int lost_calls;

static void guard(const char *cb)
{
    if (destroyed) {
        tu_log("FAIL: %s called after destroy returned", cb);
        abort();
    }
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    guard("connectionLost");
    ta_lock();
    lost_calls++;
    ta_unlock_notify();
}
static void connected(void *ctx, char *cause) { (void)ctx; (void)cause; guard("connected"); }
static void on_failure(void *ctx, MQTTAsync_failureData *r) { (void)ctx; (void)r; guard("onFailure"); }
static void on_success(void *ctx, MQTTAsync_successData *r) { (void)ctx; (void)r; guard("onSuccess"); }
static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    guard("messageArrived");
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static int was_lost(void *arg) { (void)arg; return lost_calls > 0; }

int main(void)
{
    tb_broker b;
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    long long t0;
    int i, threads;

    check_library_async();
    memset(&b, 0, sizeof b);
    tb_start(&b);
    co.sendWhileDisconnected = 1;
    TU_EXPECT_RC(MQTTAsync_createWithOptions(&c, b.uri, tu_client_id("drc"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co),
                 MQTTASYNC_SUCCESS);
    MQTTAsync_setCallbacks(c, NULL, lost, arrived, NULL);
    MQTTAsync_setConnected(c, NULL, connected);
    o.automaticReconnect = 1;
    o.minRetryInterval = 1;
    o.maxRetryInterval = 1;
    o.connectTimeout = 1;
    TU_EXPECT_RC(ta_connect_static(c, &o, MQTTVERSION_3_1_1, &outcome), 0);

    tb_stop(&b, 1);
    if (!ta_wait_until(was_lost, NULL, 10000))
        tu_fail("no connectionLost after the broker was killed");
    for (i = 0; i < 10; i++) {
        MQTTAsync_responseOptions r = MQTTAsync_responseOptions_initializer;
        r.onSuccess = on_success;
        r.onFailure = on_failure;
        MQTTAsync_send(c, tu_topic("drc"), 3, "buf", 1, 0, &r);
    }
    tu_sleep_ms(2500); /* a couple of failed reconnect attempts */

    tu_step("destroy while reconnecting");
    t0 = tu_now_ms();
    MQTTAsync_destroy(&c);
    destroyed = 1;
    printf("destroy while reconnecting returned in %s\n", tu_now_ms() - t0 < 2000 ? "under 2 s" : "2 s or more");
    TU_ASSERT(tu_now_ms() - t0 < 2000);
    tu_sleep_ms(2000); /* a retry timer firing now would call back and abort */
    threads = ta_thread_count();
    printf("threads after destroy: %d\n", threads);
    if (threads != 1)
        tu_fail("%d threads left after the only client was destroyed", threads);
    return 0;
}
