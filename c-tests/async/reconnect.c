/*
 * Automatic reconnect (ours only: Paho's 1 s timers make the timing of this
 * nondeterministic, so it is no differential test). The test runs its own
 * persistent mosquitto, stops it, and starts it again on the same port:
 *  - the publisher (automaticReconnect, minRetryInterval 1, sendWhileDisconnected)
 *    gets connectionLost, then the connected callback again with a reconnect;
 *  - a QoS 1 message sent while the broker was down is buffered (send returns
 *    0) and arrives at a persistent-session subscriber after the restart.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "ownbroker.h"
#include "testutil.h"
#include "testutil_async.h"

static int connected_calls, lost_calls, arrived_down;
/* The connects' contexts: a reconnect may report to them again. */
static ta_done sub_outcome, pub_outcome;

static void on_connected(void *ctx, char *cause)
{
    tu_log("%s connected: %s", (char *)ctx, cause ? cause : "(null)");
    if (strcmp(ctx, "pub") == 0) {
        ta_lock();
        connected_calls++;
        ta_unlock_notify();
    }
}

static void on_lost(void *ctx, char *cause)
{
    tu_log("%s connectionLost: %s", (char *)ctx, cause ? cause : "(null)");
    if (strcmp(ctx, "pub") == 0) {
        ta_lock();
        lost_calls++;
        ta_unlock_notify();
    }
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    tu_log("sub arrived '%.*s'", m->payloadlen, (char *)m->payload);
    if (m->payloadlen == 10 && memcmp(m->payload, "while-down", 10) == 0) {
        ta_lock();
        arrived_down++;
        ta_unlock_notify();
    }
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static int pub_lost(void *arg) { (void)arg; return lost_calls >= 1; }
static int pub_up(void *arg) { (void)arg; return connected_calls >= 1; }
static int pub_back(void *arg) { (void)arg; return connected_calls >= 2; }
static int msg_arrived(void *arg) { (void)arg; return arrived_down >= 1; }

static MQTTAsync reconnecting_client(const char *uri, const char *name, int buffer, int cleansession,
                                     ta_done *outcome)
{
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    int rc;
    co.sendWhileDisconnected = buffer;
    rc = MQTTAsync_createWithOptions(&c, uri, tu_client_id(name), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (rc != MQTTASYNC_SUCCESS)
        tu_fail("create %s: %d", name, rc);
    MQTTAsync_setCallbacks(c, (void *)name, on_lost, arrived, NULL);
    MQTTAsync_setConnected(c, (void *)name, on_connected);
    o.automaticReconnect = 1;
    o.minRetryInterval = 1;
    o.maxRetryInterval = 2;
    o.cleansession = cleansession;
    o.keepAliveInterval = 5;
    if ((rc = ta_connect_static(c, &o, MQTTVERSION_3_1_1, outcome)) != 0)
        tu_fail("connect %s: %d", name, rc);
    return c;
}

int main(void)
{
    tb_broker b;
    MQTTAsync pub, sub;
    long long t0;
    int rc;

    check_library_async();
    tu_watchdog(45);
    memset(&b, 0, sizeof b);
    b.persistent = 1;
    tb_start(&b);

    sub = reconnecting_client(b.uri, "sub", 0, 0, &sub_outcome);
    ta_subscribe(sub, tu_topic("reconnect"), 1, 0);
    pub = reconnecting_client(b.uri, "pub", 1, 1, &pub_outcome);
    /* The connected callback comes after connect's onSuccess. */
    if (!ta_wait_until(pub_up, NULL, 5000))
        tu_fail("no connected callback after the first connect");
    printf("connected callbacks after first connect: %d\n", connected_calls);

    tu_step("stopping the broker");
    tb_stop(&b, 0);
    if (!ta_wait_until(pub_lost, NULL, 10000))
        tu_fail("no connectionLost within 10 s of the broker stopping");
    printf("connectionLost: %d, isConnected: %d\n", lost_calls, MQTTAsync_isConnected(pub));

    rc = MQTTAsync_send(pub, tu_topic("reconnect"), 10, "while-down", 1, 0, NULL);
    printf("send while disconnected: rc=%d\n", rc);
    TU_EXPECT_RC(rc, MQTTASYNC_SUCCESS);

    tu_step("restarting the broker");
    tb_start(&b);
    t0 = tu_now_ms();
    if (!ta_wait_until(pub_back, NULL, 15000))
        tu_fail("publisher did not reconnect within 15 s (connected callbacks: %d)", connected_calls);
    tu_log("reconnected after %lld ms", tu_now_ms() - t0);
    printf("connected callbacks after restart: %d, isConnected: %d\n", connected_calls, MQTTAsync_isConnected(pub));
    if (!ta_wait_until(msg_arrived, NULL, 15000))
        tu_fail("the message sent while disconnected did not arrive");
    printf("message sent while disconnected arrived: %d time(s)\n", arrived_down);

    ta_close(&pub);
    ta_close(&sub);
    tb_stop(&b, 0);
    return 0;
}
