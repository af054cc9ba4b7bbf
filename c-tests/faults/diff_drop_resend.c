/*
 * Connections dropped in the middle of QoS 1 and QoS 2 flows (differential,
 * sync API, MQTT 3.1.1 and 5, cleansession / cleanstart 0). A scripted fake
 * broker checks the exact bytes:
 *   connection 0: CONNACK; the QoS 1 PUBLISH (id 1) arrives; the broker drops
 *                 the connection before PUBACK;
 *   connection 1: CONNACK with session present; the same PUBLISH again with
 *                 DUP=1 and id 1; PUBACK; then a QoS 2 PUBLISH (id 2) arrives
 *                 and the broker drops the connection before PUBREC;
 *   connection 2: session present; the QoS 2 PUBLISH again with DUP=1; PUBREC;
 *                 PUBREL (id 2) arrives; the broker drops the connection
 *                 before PUBCOMP;
 *   connection 3: session present; PUBREL (id 2) is sent again, and not the
 *                 PUBLISH; PUBCOMP; the client disconnects.
 * The client reconnects with MQTTClient_connect after each connectionLost
 * (the sync API has no automatic reconnect). Prints return codes, tokens and
 * callbacks; the fake broker fails the test on any byte out of script.
 * Debian's Paho does the same.
 */
// timeout: 90
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "fakebroker.h"
#include "testutil.h"

#define CLIENT_ID "fault-resend"

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

static void delivered(void *ctx, MQTTClient_deliveryToken dt)
{
    (void)ctx;
    ev_add("deliveryComplete token=%d", dt);
}

/* CONNECT: fixed header, protocol name and level, clean session bit 0 (the
 * remaining length byte and the other flags are not compared). */
static const unsigned char connect_v311[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x00 };
static const unsigned char connect_v5[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x00 };
static const unsigned char connect_mask[] = { 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };

static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_sp_v311[] = { 0x20, 0x02, 0x01, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
static const unsigned char connack_sp_v5[] = { 0x20, 0x03, 0x01, 0x00, 0x00 };

/* Topic "q", payload "hi". */
static const unsigned char q1_v311[] = { 0x32, 0x07, 0x00, 0x01, 'q', 0x00, 0x01, 'h', 'i' };
static const unsigned char q1_dup_v311[] = { 0x3a, 0x07, 0x00, 0x01, 'q', 0x00, 0x01, 'h', 'i' };
static const unsigned char q2_v311[] = { 0x34, 0x07, 0x00, 0x01, 'q', 0x00, 0x02, 'h', 'i' };
static const unsigned char q2_dup_v311[] = { 0x3c, 0x07, 0x00, 0x01, 'q', 0x00, 0x02, 'h', 'i' };
static const unsigned char q1_v5[] = { 0x32, 0x08, 0x00, 0x01, 'q', 0x00, 0x01, 0x00, 'h', 'i' };
static const unsigned char q1_dup_v5[] = { 0x3a, 0x08, 0x00, 0x01, 'q', 0x00, 0x01, 0x00, 'h', 'i' };
static const unsigned char q2_v5[] = { 0x34, 0x08, 0x00, 0x01, 'q', 0x00, 0x02, 0x00, 'h', 'i' };
static const unsigned char q2_dup_v5[] = { 0x3c, 0x08, 0x00, 0x01, 'q', 0x00, 0x02, 0x00, 'h', 'i' };
static const unsigned char pubrel_2[] = { 0x62, 0x02, 0x00, 0x02 };

#define SCRIPTS(V)                                                                                         \
    static const fake_step V##_0[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask), FS_SEND(connack_##V), \
                                       FS_EXPECT(q1_##V), FS_CLOSE };                                      \
    static const fake_step V##_1[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask),                        \
                                       FS_SEND(connack_sp_##V),                                            \
                                       FS_EXPECT(q1_dup_##V),                                              \
                                       FS_ACK(0x40),                                                       \
                                       FS_EXPECT(q2_##V),                                                  \
                                       FS_CLOSE };                                                         \
    static const fake_step V##_2[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask),                        \
                                       FS_SEND(connack_sp_##V),                                            \
                                       FS_EXPECT(q2_dup_##V),                                              \
                                       FS_ACK(0x50),                                                       \
                                       FS_EXPECT(pubrel_2),                                                \
                                       FS_CLOSE };                                                         \
    static const fake_step V##_3[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask),                        \
                                       FS_SEND(connack_sp_##V),                                            \
                                       FS_EXPECT(pubrel_2),                                                \
                                       FS_ACK(0x70),                                                       \
                                       FS_EXPECT_DISCONNECT(0),                                            \
                                       FS_EXPECT_CLOSED(5000),                                             \
                                       FS_END };                                                           \
    static const fake_step *const V##_scripts[] = { V##_0, V##_1, V##_2, V##_3 };

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

static int publish(MQTTClient c, int qos, int v5, MQTTClient_deliveryToken *dt)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.qos = qos;
    if (v5) {
        MQTTResponse r = MQTTClient_publishMessage5(c, "q", &m, dt);
        MQTTResponse_free(r);
        return r.reasonCode;
    }
    return MQTTClient_publishMessage(c, "q", &m, dt);
}

/* Waits for n callbacks and prints them. */
static void show(int n)
{
    ev_wait(n, 10000);
    ev_wait(n + 1, 200); /* one too many would show */
    ev_flush("  ");
}

static void run(const char *name, int v5, const fake_step *const *scripts)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_deliveryToken dt1 = -1, dt2 = -1;
    fake_broker *fb = fake_start_script(scripts, 4);
    char uri[64];
    int rc;

    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    TU_EXPECT_RC(MQTTClient_createWithOptions(&c, uri, CLIENT_ID, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(c, NULL, lost, arrived, delivered), 0);

    tu_step("QoS 1 PUBLISH, dropped before PUBACK");
    printf("%s: connect %d\n", name, do_connect(c, v5));
    rc = publish(c, 1, v5, &dt1);
    printf("%s: publish qos1 %d token %d\n", name, rc, dt1);
    show(1);
    printf("%s: isConnected %d\n", name, MQTTClient_isConnected(c));

    tu_step("QoS 1 resent with DUP; QoS 2 PUBLISH dropped before PUBREC");
    printf("%s: reconnect %d\n", name, do_connect(c, v5));
    printf("%s: waitForCompletion qos1 %d\n", name, MQTTClient_waitForCompletion(c, dt1, 5000));
    show(1);
    rc = publish(c, 2, v5, &dt2);
    printf("%s: publish qos2 %d token %d\n", name, rc, dt2);
    show(1);

    tu_step("QoS 2 resent with DUP; dropped after PUBREL");
    printf("%s: reconnect %d\n", name, do_connect(c, v5));
    show(1);

    tu_step("PUBREL resent; PUBCOMP");
    printf("%s: reconnect %d\n", name, do_connect(c, v5));
    printf("%s: waitForCompletion qos2 %d\n", name, MQTTClient_waitForCompletion(c, dt2, 5000));
    show(1);
    printf("%s: disconnect %d\n", name, MQTTClient_disconnect(c, 1000));
    rc = fake_wait_script(fb, 3, 5000);
    fake_check(fb);
    printf("%s: script done %d, connections %d\n", name, rc, fake_connections(fb));
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    check_library();
    tu_watchdog(80);
    run("v311", 0, v311_scripts);
    run("v5", 1, v5_scripts);
    return 0;
}
