/*
 * The broker goes silent after CONNACK (ours only; sync API, MQTT 3.1.1 and 5,
 * keepAliveInterval 2 s). The scripted fake broker sends CONNACK, then only
 * listens: it expects a PINGREQ, then (no PINGRESP coming) a DISCONNECT
 * (e0 00, for MQTT 5 too, as Paho writes it) and the client closing.
 *
 * Measured (fake broker's clock, the same monotonic clock as the test's):
 *   - the PINGREQ comes one keepalive interval after the CONNACK (+-500 ms);
 *   - the client gives up within 1.5 keepalive intervals of its PINGREQ (no
 *     more, and not much less: at least 1.5 intervals - 300 ms): the
 *     DISCONNECT and the close, and connectionLost, come 3 s after the
 *     PINGREQ, so 5 s after the broker's last packet. Debian's Paho does the
 *     same with this script (PINGREQ at 2.0 s, DISCONNECT and connectionLost
 *     3.0 s later).
 * The connection is lost once (connectionLost exactly once), and the client
 * is disconnected afterwards.
 */
// timeout: 90
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

#define KEEPALIVE 2

static tu_counts counts = TU_COUNTS_INITIALIZER;

static const unsigned char connect_any[] = { 0x10 };
static const unsigned char mask_type[] = { 0xff };
static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
static const unsigned char pingreq[] = { 0xc0, 0x00 };

#define SCRIPT(V)                                                                                          \
    static const fake_step V[] = { FS_EXPECT_PREFIX(connect_any, mask_type), FS_SEND(connack_##V),         \
                                   { .op = FAKE_EXPECT, .bytes = pingreq, .len = 2, .ms = 4000 },          \
                                   { .op = FAKE_EXPECT_DISCONNECT, .reason = 0, .ms = 6000 },              \
                                   FS_EXPECT_CLOSED(1000),                                                 \
                                   FS_END };

SCRIPT(v311)
SCRIPT(v5)

static int run(const char *name, int v5, const fake_step *script)
{
    const fake_step *scripts[1];
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    fake_broker *fb;
    char uri[64];
    int rc, bad = 0;
    long long connack, ping, disc, closed, lost_ms, ka = KEEPALIVE * 1000LL;

    tu_step(name);
    scripts[0] = script;
    fb = fake_start_script(scripts, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    TU_EXPECT_RC(MQTTClient_createWithOptions(&c, uri, tu_client_id("kasilent"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co),
                 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(c, &counts, tu_count_lost, tu_count_arrived, NULL), 0);
    tu_counts_reset(&counts);
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r;
        o.keepAliveInterval = KEEPALIVE;
        r = MQTTClient_connect5(c, &o, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = MQTTVERSION_3_1_1;
        o.keepAliveInterval = KEEPALIVE;
        rc = MQTTClient_connect(c, &o);
    }
    TU_EXPECT_RC(rc, 0);
    TU_ASSERT(fake_wait_script(fb, 0, 15000) == 1);
    tu_sleep_ms(300); /* connectionLost runs on a library thread */
    fake_check(fb);
    connack = fake_step_ms(fb, 0, 1);
    ping = fake_step_ms(fb, 0, 2);
    disc = fake_step_ms(fb, 0, 3);
    closed = fake_step_ms(fb, 0, 4);
    {
        int lost;
        tu_counts_read(&counts, NULL, &lost, &lost_ms);
        TU_ASSERT(lost == 1);
    }
    tu_log("%s: PINGREQ %lld ms after CONNACK; DISCONNECT %lld ms, close %lld ms, connectionLost %lld ms after "
           "the PINGREQ",
           name, ping - connack, disc - ping, closed - ping, lost_ms - ping);
    if (ping - connack < ka - 500 || ping - connack > ka + 500) {
        tu_log("FAIL: PINGREQ not one keepalive interval after CONNACK");
        bad++;
    }
    if (closed - ping > ka * 3 / 2 + 300 || lost_ms - ping > ka * 3 / 2 + 500) {
        tu_log("FAIL: not detected within 1.5 keepalive intervals of the PINGREQ");
        bad++;
    }
    if (disc - ping < ka * 3 / 2 - 300) {
        tu_log("FAIL: gave up before 1.5 keepalive intervals");
        bad++;
    }
    TU_EXPECT_RC(MQTTClient_isConnected(c), 0);
    printf("%s: connectionLost once, PINGREQ at %.1f s, lost %.1f s after it: %s\n", name, (ping - connack) / 1000.0,
           (lost_ms - ping) / 1000.0, bad ? "FAIL" : "ok");
    MQTTClient_destroy(&c);
    fake_stop(fb);
    return bad;
}

int main(void)
{
    int bad = 0;
    check_library();
    tu_watchdog(60);
    bad += run("v311", 0, v311);
    bad += run("v5", 1, v5);
    if (bad && tu_is_ours())
        tu_fail("%d timing checks failed", bad);
    return 0;
}
