/*
 * Automatic reconnect when the connection drops right after CONNACK (ours
 * only). A fake broker accepts, answers CONNACK and closes at once, five
 * times; then it answers and keeps the connection. The loss comes while the
 * reconnect that made the connection is still finishing: the client must go
 * on reconnecting and end up connected. (A soak run on a loaded machine found
 * our client giving up for good when the loss was handled before the reconnect
 * loop had marked itself done; here that order depends on thread timing, so
 * this test guards the behaviour but does not force the order.)
 */
// link: paho-mqtt3a
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "fakebroker.h"
#include "testutil.h"
#include "testutil_async.h"

#define DROPS 5

static int connected_calls, lost_calls;

static void connected(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_lock();
    connected_calls++;
    ta_unlock_notify();
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_lock();
    lost_calls++;
    ta_unlock_notify();
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    return ta_arrived_event(ctx, topic, topic_len, m);
}

static int settled(void *arg)
{
    MQTTAsync c = arg;
    return connected_calls > DROPS && MQTTAsync_isConnected(c);
}

int main(void)
{
    static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
    fake_reply replies[DROPS + 1];
    fake_broker *fb;
    MQTTAsync c;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    ta_done d;
    char uri[64];
    int i, seen;

    check_library_async();
    for (i = 0; i < DROPS; i++)
        replies[i] = (fake_reply){ .bytes = connack, .len = 4, .hold_ms = 0 };
    replies[DROPS] = (fake_reply){ .bytes = connack, .len = 4, .hold_ms = 20000 };
    fb = fake_start(replies, DROPS + 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));

    if (MQTTAsync_create(&c, uri, tu_client_id("reconn-connack"), MQTTCLIENT_PERSISTENCE_NONE, NULL) != 0)
        tu_fail("create");
    MQTTAsync_setCallbacks(c, NULL, lost, arrived, NULL);
    MQTTAsync_setConnected(c, NULL, connected);
    o.automaticReconnect = 1;
    o.minRetryInterval = 1;
    o.maxRetryInterval = 1;
    o.cleansession = 1;
    o.keepAliveInterval = 20;
    if (ta_connect_static(c, &o, 4, &d) != MQTTASYNC_SUCCESS)
        tu_fail("connect call");
    tu_step("waiting for the client to settle on the last connection");
    if (!ta_wait_until(settled, c, 20000))
        tu_fail("after %d connections and %d losses the client is not connected (fake broker saw %d CONNECTs)",
                connected_calls, lost_calls, fake_levels(fb, NULL, 0));
    seen = fake_levels(fb, NULL, 0);
    printf("connections seen by the fake broker: %d, connected callbacks: %d, losses: %d\n", seen,
           connected_calls, lost_calls);
    ta_close(&c);
    fake_stop(fb);
    return 0;
}
