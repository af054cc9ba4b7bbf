/*
 * A broker that sends garbage (ours only; sync API with callbacks, MQTT 3.1.1
 * and 5). Each case runs in a fork()ed child (a crash or a hang is reported
 * per case) against a scripted fake broker: CONNECT, CONNACK, 200 ms, the bad
 * bytes; then the broker expects, byte for byte,
 *   MQTT 5:   a DISCONNECT with the reason code the specification gives, then
 *             the client closing the connection;
 *   MQTT 3.1.1: the client closing the connection, sending nothing.
 * And the client: connect returned 0; connectionLost is called exactly once,
 * within 2 s of the bad bytes; no message is delivered; isConnected is 0.
 *
 * Reason codes (MQTT 5.0):
 *   0x81 Malformed Packet: a fifth remaining-length byte (1.5.5), a packet
 *        longer than its fields, ill-formed UTF-8 in a topic (1.5.4-1), a
 *        property identifier not valid for the packet or unknown (2.2.2.2);
 *   0x82 Protocol Error: SUBACK with a reason code count other than the
 *        SUBSCRIBE's topic filters (3.9.3);
 *   0x94 Topic Alias invalid: alias 0 or above the Topic Alias Maximum we
 *        sent in CONNECT (3.3.2.3.4), including 0 = none announced;
 *   0x95 Packet too large: a packet over the Maximum Packet Size we sent in
 *        CONNECT (3.1.2.11.4).
 * A remaining length that promises more than the broker sends before closing
 * cannot be answered: the client just reports the lost connection.
 *
 * Packet type 0, AUTH on 3.1.1 (type 15), a second CONNACK and a PUBACK for
 * an unknown id are in sync/hostile_broker_ours (with MQTT 5 reason codes);
 * the 5-byte remaining length at 3.1.1 also in diff/hostile_broker.
 */
// timeout: 120
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* keeps stderr reports whole */
static tu_counts counts = TU_COUNTS_INITIALIZER;

static const unsigned char connect_any[] = { 0x10 };
static const unsigned char connect_mask[] = { 0xff };
static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };

/* PUBLISH "t" QoS 0 announcing 10 bytes of body, of which 4 come. */
static const unsigned char short_body[] = { 0x30, 0x0a, 0x00, 0x01, 't', 'p' };
/* PINGRESP with a body byte. */
static const unsigned char pingresp_body[] = { 0xd0, 0x01, 0x00 };
static const unsigned char fifth_length_byte[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x01 };
/* Topic c3 28: a lead byte followed by a non-continuation byte. */
static const unsigned char bad_utf8_v311[] = { 0x30, 0x05, 0x00, 0x02, 0xc3, 0x28, 'p' };
static const unsigned char bad_utf8_v5[] = { 0x30, 0x06, 0x00, 0x02, 0xc3, 0x28, 0x00, 'p' };
/* Topic ed a0 80: an encoded surrogate (U+D800). */
static const unsigned char surrogate_v311[] = { 0x30, 0x06, 0x00, 0x03, 0xed, 0xa0, 0x80, 'p' };
static const unsigned char surrogate_v5[] = { 0x30, 0x07, 0x00, 0x03, 0xed, 0xa0, 0x80, 0x00, 'p' };
/* PUBLISH with Session Expiry Interval (0x11, CONNECT/CONNACK/DISCONNECT only). */
static const unsigned char session_expiry_in_publish[] = { 0x30, 0x0a, 0x00, 0x01, 't', 0x05,
                                                           0x11, 0x00, 0x00, 0x00, 0x01, 'p' };
/* PUBLISH with property identifier 0x7f, which MQTT 5 does not define. */
static const unsigned char unknown_property[] = { 0x30, 0x07, 0x00, 0x01, 't', 0x02, 0x7f, 0x00, 'p' };
/* PUBLISH with Topic Alias 0, 6 (we announce 5) and 1 (we announce none). */
static const unsigned char alias_0[] = { 0x30, 0x08, 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x00, 'p' };
static const unsigned char alias_6[] = { 0x30, 0x08, 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x06, 'p' };
static const unsigned char alias_1[] = { 0x30, 0x08, 0x00, 0x01, 't', 0x03, 0x23, 0x00, 0x01, 'p' };
/* A 100-byte PUBLISH (we announce Maximum Packet Size 64): topic "t", no
 * properties, 94 bytes of payload. */
static unsigned char too_large[100] = { 0x30, 98, 0x00, 0x01, 't', 0x00 };
/* SUBACK with two codes for a SUBSCRIBE with one filter (after the id). */
static const unsigned char two_codes_v311[] = { 0x01, 0x01 };
static const unsigned char two_codes_v5[] = { 0x00, 0x01, 0x01 };
static const unsigned char subscribe_any[] = { 0x82 };

enum announce { NONE = 0, MAX_PACKET_64 = 1, ALIAS_MAX_5 = 2 };

struct kase {
    const char *name;
    int v5;
    int reason; /* -1: the broker closes, no DISCONNECT expected */
    enum announce announce;
    int subscribe; /* the client subscribes; the broker answers with the bad bytes */
    fake_step steps[10];
};

#define OPEN(connack) FS_EXPECT_PREFIX(connect_any, connect_mask), FS_SEND(connack), FS_SLEEP(200)
#define V311(name, bytes) \
    { name, 0, 0, NONE, 0, { OPEN(connack_v311), FS_SEND(bytes), FS_EXPECT_CLOSED(2000), FS_END } }
#define V5(name, bytes, reason, announce)                                                                    \
    { name, 1, reason, announce, 0,                                                                          \
      { OPEN(connack_v5), FS_SEND(bytes), FS_EXPECT_DISCONNECT(reason), FS_EXPECT_CLOSED(2000), FS_END } }

static const struct kase cases[] = {
    { "remaining_length_beyond_data", 0, -1, NONE, 0, { OPEN(connack_v311), FS_SEND(short_body), FS_CLOSE } },
    { "remaining_length_beyond_data", 1, -1, NONE, 0, { OPEN(connack_v5), FS_SEND(short_body), FS_CLOSE } },
    V311("remaining_length_beyond_fields", pingresp_body),
    V5("remaining_length_beyond_fields", pingresp_body, 0x81, NONE),
    V311("fifth_remaining_length_byte", fifth_length_byte),
    V5("fifth_remaining_length_byte", fifth_length_byte, 0x81, NONE),
    V311("topic_bad_utf8", bad_utf8_v311),
    V5("topic_bad_utf8", bad_utf8_v5, 0x81, NONE),
    V311("topic_surrogate", surrogate_v311),
    V5("topic_surrogate", surrogate_v5, 0x81, NONE),
    V5("property_not_allowed_in_publish", session_expiry_in_publish, 0x81, NONE),
    V5("property_unknown", unknown_property, 0x81, NONE),
    V5("packet_over_maximum_packet_size", too_large, 0x95, MAX_PACKET_64),
    V5("topic_alias_0", alias_0, 0x94, ALIAS_MAX_5),
    V5("topic_alias_above_maximum", alias_6, 0x94, ALIAS_MAX_5),
    V5("topic_alias_none_announced", alias_1, 0x94, NONE),
    { "suback_two_codes_for_one_filter", 0, 0, NONE, 1,
      { OPEN(connack_v311), FS_EXPECT_PREFIX(subscribe_any, connect_mask), FS_ACK_WITH(0x90, two_codes_v311),
        FS_EXPECT_CLOSED(2000), FS_END } },
    { "suback_two_codes_for_one_filter", 1, 0x82, NONE, 1,
      { OPEN(connack_v5), FS_EXPECT_PREFIX(subscribe_any, connect_mask), FS_ACK_WITH(0x90, two_codes_v5),
        FS_EXPECT_DISCONNECT(0x82), FS_EXPECT_CLOSED(2000), FS_END } },
};

static void note(const char *fmt, long long v)
{
    size_t n = strlen(tu_child_note);
    snprintf(tu_child_note + n, sizeof tu_child_note - n, fmt, v);
}

/* Whether the CONNECT (step 0 of connection 0) carries property id with the
 * 4-byte (or 2-byte) value. A plain byte search: enough for our short CONNECT. */
static int connect_has(fake_broker *fb, const unsigned char *prop, int len)
{
    unsigned char b[512];
    int n = fake_packet(fb, 0, 0, b, sizeof b), i;
    for (i = 0; i + len <= n; i++)
        if (memcmp(b + i, prop, (size_t)len) == 0)
            return 1;
    return 0;
}

static int run_case(void *arg)
{
    const struct kase *k = arg;
    const fake_step *scripts[1];
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    fake_broker *fb;
    char uri[64];
    int bad = 0, rc, l, a, script;
    long long sent, lost_ms;

    scripts[0] = k->steps;
    fb = fake_start_script(scripts, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    co.MQTTVersion = k->v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    if (MQTTClient_createWithOptions(&c, uri, tu_client_id("garbage"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co) != 0)
        tu_fail("create");
    MQTTClient_setCallbacks(c, &counts, tu_count_lost, tu_count_arrived, NULL);
    if (k->v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTProperties props = MQTTProperties_initializer;
        MQTTProperty p;
        MQTTResponse r;
        memset(&p, 0, sizeof p);
        if (k->announce == MAX_PACKET_64) {
            p.identifier = MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE;
            p.value.integer4 = 64;
            MQTTProperties_add(&props, &p);
        } else if (k->announce == ALIAS_MAX_5) {
            p.identifier = MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM;
            p.value.integer2 = 5;
            MQTTProperties_add(&props, &p);
        }
        r = MQTTClient_connect5(c, &o, &props, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
        MQTTProperties_free(&props);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = MQTTVERSION_3_1_1;
        rc = MQTTClient_connect(c, &o);
    }
    note(" connect=%lld", rc);
    bad += rc != 0;
    if (k->subscribe) {
        if (k->v5) {
            MQTTResponse r = MQTTClient_subscribe5(c, "s", 1, NULL, NULL);
            rc = r.reasonCode;
            MQTTResponse_free(r);
        } else {
            rc = MQTTClient_subscribe(c, "s", 1);
        }
        note(" subscribe=%lld", rc);
        bad += rc == 0;
    }
    script = fake_wait_script(fb, 0, 5000);
    {
        long long deadline = tu_now_ms() + 3000;
        do {
            tu_counts_read(&counts, NULL, &l, NULL);
            if (l)
                break;
            tu_sleep_ms(10);
        } while (tu_now_ms() < deadline);
    }
    tu_sleep_ms(300); /* a second connectionLost or a late message would show */
    tu_counts_read(&counts, &a, &l, &lost_ms);
    /* The bad bytes went out at step 3 (the SEND after the 200 ms SLEEP), or
     * for the SUBACK case at step 4 (the ACK). */
    sent = fake_step_ms(fb, 0, k->subscribe ? 4 : 3);
    note(" lost=%lld", l);
    note(" arrived=%lld", a);
    note(" connected=%lld", MQTTClient_isConnected(c));
    bad += l != 1 || a != 0 || MQTTClient_isConnected(c) != 0;
    if (l && sent > 0) {
        tu_log("%s: connectionLost %lld ms after the bad bytes", k->name, lost_ms - sent);
        bad += lost_ms - sent > 2000;
    }
    note(" script=%lld", script);
    if (script != 1 || fake_failures(fb)) {
        bad++;
        /* The report on stderr, where the parent's output shows it. */
        pthread_mutex_lock(&lock);
        tu_log("%s %s: the fake broker's script did not pass", k->name, k->v5 ? "v5" : "v311");
        pthread_mutex_unlock(&lock);
    }
    if (k->announce == MAX_PACKET_64) {
        static const unsigned char prop[] = { 0x27, 0x00, 0x00, 0x00, 0x40 };
        int has = connect_has(fb, prop, sizeof prop);
        note(" announced=%lld", has);
        bad += !has;
    } else if (k->announce == ALIAS_MAX_5) {
        static const unsigned char prop[] = { 0x22, 0x00, 0x05 };
        int has = connect_has(fb, prop, sizeof prop);
        note(" announced=%lld", has);
        bad += !has;
    }
    MQTTClient_destroy(&c);
    if (fake_failures(fb)) {
        /* fake_check prints every mismatch and exits 1: the parent reports an error. */
        fake_check(fb);
    }
    fake_stop(fb);
    return bad;
}

int main(void)
{
    size_t i;
    int failures = 0;

    check_library();
    tu_watchdog(0); /* each case has its own */
    memset(too_large + 6, 'x', sizeof too_large - 6);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int bad = 0, how;
        tu_step(cases[i].name);
        how = tu_in_child(run_case, (void *)&cases[i], 20, &bad);
        printf("%s %s:", cases[i].name, cases[i].v5 ? "v5" : "v311");
        if (how == TU_CHILD_OK)
            printf("%s%s\n", tu_child_note, bad ? "  FAIL" : "");
        else
            printf(" %s  FAIL\n", how == TU_CHILD_CRASH ? "crash" : how == TU_CHILD_HANG ? "hang" : "error");
        if (how != TU_CHILD_OK || bad)
            failures++;
    }
    if (!tu_is_ours()) {
        tu_log("Paho: %d cases differ", failures);
        return 0;
    }
    if (failures)
        tu_fail("%d cases failed", failures);
    return 0;
}
