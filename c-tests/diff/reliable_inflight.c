/*
 * connectOptions.reliable = 1 (the initializer's default) allows one QoS 1/2
 * message in flight (differential). Against a fake broker that accepts the
 * connection, never acknowledges and closes after 3 s: the first publish
 * returns at once; Paho's second publish blocks until the connection is gone
 * and then fails, and the client is disconnected. With reliable = 0 both
 * return at once; with maxInflightMessages 2, what the third and fourth give.
 * Prints codes and whether each call returned before the broker closed (not
 * how long it took).
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

static void scenario(const char *name, int reliable, int max_inflight, int count)
{
    static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
    fake_reply r = { .bytes = connack, .len = 4, .hold_ms = 3000 };
    fake_broker *fb = fake_start(&r, 1);
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt = -5;
    char uri[64];
    int i, rc;

    tu_step(name);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    MQTTClient_create(&c, uri, tu_client_id("rel"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    o.reliable = reliable;
    if (max_inflight)
        o.maxInflightMessages = max_inflight;
    printf("%s: connect %d\n", name, MQTTClient_connect(c, &o));
    for (i = 1; i <= count; i++) {
        long long t0 = tu_now_ms();
        rc = MQTTClient_publish(c, tu_topic("rel"), 1, "x", 1, 0, &dt);
        tu_log("%s: publish %d took %lld ms", name, i, tu_now_ms() - t0);
        printf("%s: publish %d rc=%d before broker closed=%s isConnected=%d\n", name, i, rc,
               fake_closed(fb) == 0 ? "yes" : "no", MQTTClient_isConnected(c));
    }
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    check_library();
    scenario("reliable1", 1, 0, 2);
    scenario("reliable0", 0, 0, 2);
    scenario("reliable0_maxinflight2", 0, 2, 4);
    return 0;
}
