/*
 * The broker trickles its packets one byte at a time (differential: Debian's
 * Paho decodes them the same way; sync API, MQTT 3.1.1 and 5). The scripted
 * fake broker writes the CONNACK one byte every 30 ms, then a QoS 1 PUBLISH
 * one byte every 5 ms: 200 bytes of payload, so its remaining length takes
 * two bytes, and at MQTT 5 a Message Expiry Interval and a User Property.
 * Each byte is its own TCP segment (the broker waits between bytes).
 *
 * Expected (and printed; timings on stderr): connect returns 0 (the CONNACK
 * decodes from its pieces), the message arrives once, whole (topic, payload,
 * QoS 1, at MQTT 5 the two properties), the client acknowledges it with
 * exactly PUBACK for id 7, and disconnects cleanly (DISCONNECT, close). No
 * connectionLost.
 */
// timeout: 90
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

#define PAYLOAD 200

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int lost_calls, arrived_calls, arrived_ok;

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    int v5 = *(int *)ctx, ok = 1, i;
    const unsigned char *p = m->payload;
    ok &= strcmp(topic, "t/trickle") == 0 && (topicLen == 0 || topicLen == 9);
    ok &= m->payloadlen == PAYLOAD && m->qos == 1 && m->msgid == 7 && !m->dup && !m->retained;
    for (i = 0; ok && i < PAYLOAD; i++)
        ok &= p[i] == (unsigned char)('a' + i % 26);
    if (v5) {
        MQTTProperty *ui = MQTTProperties_getProperty(&m->properties, MQTTPROPERTY_CODE_USER_PROPERTY);
        ok &= m->properties.count == 2;
        ok &= MQTTProperties_getNumericValue(&m->properties, MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL) == 60;
        ok &= ui && ui->value.data.len == 1 && ui->value.data.data[0] == 'k' && ui->value.value.len == 1 &&
              ui->value.value.data[0] == 'v';
    }
    tu_log("messageArrived topic=%s payloadlen=%d qos=%d msgid=%d props=%d: %s", topic, m->payloadlen, m->qos,
           m->msgid, m->properties.count, ok ? "as sent" : "WRONG");
    pthread_mutex_lock(&lock);
    arrived_calls++;
    arrived_ok += ok;
    pthread_mutex_unlock(&lock);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    tu_log("connectionLost cause=%s", cause ? cause : "NULL");
    pthread_mutex_lock(&lock);
    lost_calls++;
    pthread_mutex_unlock(&lock);
}

static const unsigned char connect_any[] = { 0x10 };
static const unsigned char mask_type[] = { 0xff };
static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
/* Filled in by main: fixed header (2-byte remaining length), topic, id 7,
 * (MQTT 5: properties), payload. */
static unsigned char publish_v311[3 + 2 + 9 + 2 + PAYLOAD];
static unsigned char publish_v5[3 + 2 + 9 + 2 + 1 + 5 + 7 + PAYLOAD];
static const unsigned char puback_7[] = { 0x40, 0x02, 0x00, 0x07 };

#define SCRIPT(V)                                                                                      \
    static const fake_step V[] = { FS_EXPECT_PREFIX(connect_any, mask_type),                           \
                                   FS_SEND_TRICKLE(connack_##V, 30),                                   \
                                   FS_SLEEP(100),                                                      \
                                   FS_SEND_TRICKLE(publish_##V, 5),                                    \
                                   FS_EXPECT(puback_7),                                                \
                                   FS_EXPECT_DISCONNECT(0),                                            \
                                   FS_EXPECT_CLOSED(2000),                                             \
                                   FS_END };

SCRIPT(v311)
SCRIPT(v5)

/* Writes a PUBLISH QoS 1 id 7 to "t/trickle" into b (size n). */
static void build(unsigned char *b, int n, int v5)
{
    static const unsigned char props[] = { 12, 0x02, 0, 0, 0, 60, 0x26, 0, 1, 'k', 0, 1, 'v' };
    int remaining = n - 3, i = 0, k;
    b[i++] = 0x32;
    b[i++] = (unsigned char)(0x80 | (remaining & 0x7f));
    b[i++] = (unsigned char)(remaining >> 7);
    b[i++] = 0;
    b[i++] = 9;
    memcpy(b + i, "t/trickle", 9);
    i += 9;
    b[i++] = 0;
    b[i++] = 7;
    if (v5) {
        memcpy(b + i, props, sizeof props);
        i += (int)sizeof props;
    }
    for (k = 0; k < PAYLOAD; k++)
        b[i++] = (unsigned char)('a' + k % 26);
    if (i != n || remaining < 128)
        tu_fail("build: %d bytes for %d", i, n);
}

static void run(const char *name, int v5, const fake_step *script)
{
    static int ctx_v5;
    const fake_step *scripts[1];
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    fake_broker *fb;
    char uri[64];
    int rc;
    long long t0;

    tu_step(name);
    scripts[0] = script;
    fb = fake_start_script(scripts, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    TU_EXPECT_RC(MQTTClient_createWithOptions(&c, uri, tu_client_id("trickle"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co),
                 0);
    ctx_v5 = v5;
    TU_EXPECT_RC(MQTTClient_setCallbacks(c, &ctx_v5, lost, arrived, NULL), 0);
    pthread_mutex_lock(&lock);
    lost_calls = arrived_calls = arrived_ok = 0;
    pthread_mutex_unlock(&lock);
    t0 = tu_now_ms();
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r = MQTTClient_connect5(c, &o, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = MQTTVERSION_3_1_1;
        rc = MQTTClient_connect(c, &o);
    }
    tu_log("%s: connect %d after %lld ms", name, rc, tu_now_ms() - t0);
    TU_EXPECT_RC(rc, 0);
    {
        long long deadline = tu_now_ms() + 10000;
        int n = 0;
        while (n == 0 && tu_now_ms() < deadline) {
            tu_sleep_ms(20);
            pthread_mutex_lock(&lock);
            n = arrived_calls;
            pthread_mutex_unlock(&lock);
        }
    }
    tu_sleep_ms(300); /* the PUBACK reaches the broker; a second delivery would show */
    TU_EXPECT_RC(MQTTClient_disconnect(c, 1000), 0);
    TU_ASSERT(fake_wait_script(fb, 0, 5000) == 1);
    fake_check(fb);
    pthread_mutex_lock(&lock);
    TU_ASSERT(arrived_calls == 1 && arrived_ok == 1);
    TU_ASSERT(lost_calls == 0);
    pthread_mutex_unlock(&lock);
    printf("%s: CONNACK and PUBLISH decoded from single bytes, PUBACK 7 sent\n", name);
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    check_library();
    tu_watchdog(60);
    build(publish_v311, sizeof publish_v311, 0);
    build(publish_v5, sizeof publish_v5, 1);
    run("v311", 0, v311);
    run("v5", 1, v5);
    return 0;
}
