/*
 * The connection drops while a SUBSCRIBE awaits its SUBACK (differential,
 * sync API, MQTT 3.1.1 and 5, cleansession / cleanstart 0, with and
 * without callbacks). The scripted fake broker reads the SUBSCRIBE and
 * closes the connection.
 *
 * What Debian's Paho does, and so ours: MQTTClient_subscribe returns -1
 * (MQTTCLIENT_FAILURE, not -3 DISCONNECTED: that one is for a call made while
 * not connected); subscribe5 gives reasonCode -1 likewise; connectionLost is
 * called once when callbacks are set. After reconnecting (the broker says
 * session present) the SUBSCRIBE is not sent again by the library: the broker
 * hears nothing for 500 ms. A new subscribe then works (SUBACK granted QoS 1).
 * Then the same for UNSUBSCRIBE (-1, not resent), and the client disconnects.
 */
// timeout: 90
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "fakebroker.h"
#include "testutil.h"

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    ev_add("messageArrived (unexpected)");
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ev_add("connectionLost");
}

static const unsigned char connect_v311[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x00 };
static const unsigned char connect_v5[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x00 };
static const unsigned char connect_mask[] = { 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_sp_v311[] = { 0x20, 0x02, 0x01, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
static const unsigned char connack_sp_v5[] = { 0x20, 0x03, 0x01, 0x00, 0x00 };
/* SUBSCRIBE to "s" at QoS 1; the packet id (bytes 2, 3) is not compared. */
static const unsigned char subscribe_v311[] = { 0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 's', 0x01 };
static const unsigned char subscribe_mask_v311[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff };
static const unsigned char subscribe_v5[] = { 0x82, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 's', 0x01 };
static const unsigned char subscribe_mask_v5[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff };
/* UNSUBSCRIBE from "s", packet id not compared. */
static const unsigned char unsubscribe_v311[] = { 0xa2, 0x05, 0x00, 0x00, 0x00, 0x01, 's' };
static const unsigned char unsubscribe_mask_v311[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff };
static const unsigned char unsubscribe_v5[] = { 0xa2, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 's' };
static const unsigned char unsubscribe_mask_v5[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff };
static const unsigned char granted_v311[] = { 0x01 };
static const unsigned char granted_v5[] = { 0x00, 0x01 }; /* no properties, QoS 1 */

#define SCRIPTS(V)                                                                                         \
    static const fake_step V##_0[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask), FS_SEND(connack_##V), \
                                       FS_EXPECT_MASKED(subscribe_##V, subscribe_mask_##V), FS_CLOSE };    \
    static const fake_step V##_1[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask),                        \
                                       FS_SEND(connack_sp_##V),                                            \
                                       FS_EXPECT_QUIET(500),                                               \
                                       FS_EXPECT_MASKED(subscribe_##V, subscribe_mask_##V),                \
                                       FS_ACK_WITH(0x90, granted_##V),                                     \
                                       FS_EXPECT_MASKED(unsubscribe_##V, unsubscribe_mask_##V),            \
                                       FS_CLOSE };                                                         \
    static const fake_step V##_2[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask),                        \
                                       FS_SEND(connack_sp_##V),                                            \
                                       FS_EXPECT_QUIET(500),                                               \
                                       FS_EXPECT_DISCONNECT(0),                                            \
                                       FS_EXPECT_CLOSED(5000),                                             \
                                       FS_END };                                                           \
    static const fake_step *const V##_scripts[] = { V##_0, V##_1, V##_2 };

SCRIPTS(v311)
SCRIPTS(v5)

static int do_connect(MQTTClient c, int v5)
{
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTProperties props = MQTTProperties_initializer;
        MQTTProperty expiry;
        MQTTResponse r;
        memset(&expiry, 0, sizeof expiry);
        expiry.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
        expiry.value.integer4 = 3600;
        MQTTProperties_add(&props, &expiry);
        o.cleanstart = 0;
        r = MQTTClient_connect5(c, &o, &props, NULL);
        MQTTProperties_free(&props);
        MQTTResponse_free(r);
        return r.reasonCode;
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = MQTTVERSION_3_1_1;
        o.cleansession = 0;
        return MQTTClient_connect(c, &o);
    }
}

static void do_subscribe(MQTTClient c, int v5, const char *name, const char *what)
{
    if (v5) {
        MQTTSubscribe_options so = MQTTSubscribe_options_initializer;
        MQTTResponse r = MQTTClient_subscribe5(c, "s", 1, &so, NULL);
        printf("%s: %s reasonCode %d\n", name, what, r.reasonCode);
        MQTTResponse_free(r);
    } else {
        printf("%s: %s %d\n", name, what, MQTTClient_subscribe(c, "s", 1));
    }
}

static void run(const char *name, int v5, int callbacks, const fake_step *const *scripts)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    fake_broker *fb = fake_start_script(scripts, 3);
    char uri[64];
    int rc;

    tu_step(name);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    TU_EXPECT_RC(MQTTClient_createWithOptions(&c, uri, tu_client_id("subdrop"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co),
                 0);
    if (callbacks)
        TU_EXPECT_RC(MQTTClient_setCallbacks(c, NULL, lost, arrived, NULL), 0);
    /* With callbacks Paho returns only when the command timeout is over (ours
     * at once): 5 s, the least it accepts, instead of its default 10 s. */
    TU_EXPECT_RC(MQTTClient_setCommandTimeout(c, 5000), 0);
    printf("%s: connect %d\n", name, do_connect(c, v5));
    do_subscribe(c, v5, name, "subscribe during the drop");
    if (callbacks) {
        ev_wait(1, 5000);
        ev_wait(2, 200);
        ev_flush("  ");
    }
    printf("%s: isConnected %d\n", name, MQTTClient_isConnected(c));
    printf("%s: reconnect %d\n", name, do_connect(c, v5));
    tu_sleep_ms(700); /* the broker's quiet time: no SUBSCRIBE resent */
    do_subscribe(c, v5, name, "subscribe again");
    if (v5) {
        MQTTResponse r = MQTTClient_unsubscribe5(c, "s", NULL);
        printf("%s: unsubscribe during the drop reasonCode %d\n", name, r.reasonCode);
        MQTTResponse_free(r);
    } else {
        printf("%s: unsubscribe during the drop %d\n", name, MQTTClient_unsubscribe(c, "s"));
    }
    if (callbacks) {
        ev_wait(1, 5000);
        ev_wait(2, 200);
        ev_flush("  ");
    }
    printf("%s: isConnected %d\n", name, MQTTClient_isConnected(c));
    printf("%s: reconnect %d\n", name, do_connect(c, v5));
    tu_sleep_ms(700); /* the broker's quiet time: no UNSUBSCRIBE resent */
    printf("%s: disconnect %d\n", name, MQTTClient_disconnect(c, 1000));
    rc = fake_wait_script(fb, 2, 5000);
    fake_check(fb);
    printf("%s: script done %d, connections %d\n", name, rc, fake_connections(fb));
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    check_library();
    tu_watchdog(80);
    run("v311 callbacks", 0, 1, v311_scripts);
    run("v311 no callbacks", 0, 0, v311_scripts);
    run("v5 callbacks", 1, 1, v5_scripts);
    run("v5 no callbacks", 1, 0, v5_scripts);
    return 0;
}
