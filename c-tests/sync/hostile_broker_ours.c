/*
 * Malformed or protocol-violating packets from the broker (ours only): a
 * PUBLISH whose topic holds a NUL, packet type 0, AUTH on MQTT 3.1.1, a
 * PUBLISH with QoS 3, a PUBACK and a SUBACK for packet ids never used, a
 * second CONNACK. Each comes from a fake broker 200 ms after a successful
 * CONNACK, at MQTT 3.1.1 and MQTT 5 (AUTH only at 3.1.1, where it is not a
 * packet type).
 *
 * Deliberate deviation (c-tests/diff/README.md): Debian's Paho ignores these
 * (or delivers the NUL topic); ours closes the connection, at MQTT 5 with a
 * DISCONNECT carrying the error's reason code. So, per packet
 * and version, with callbacks:
 *   - connectionLost is called exactly once, no message is delivered,
 *     isConnected is 0, the process does not crash;
 *   - MQTT 5: the client sent the broker a DISCONNECT with the reason code the
 *     specification gives (0x81 or 0x82, per packet below);
 *   - connecting the same client again works and stays connected (the fake
 *     broker's second connection sends nothing odd);
 * and without callbacks, MQTTClient_receive returns -3 (DISCONNECTED) and no
 * message. diff/hostile_broker keeps the packets where Paho and ours agree.
 *
 * Each case runs in a fork()ed child, so a crash is reported per case.
 * Against Paho (MQTT_TEST_EXPECT=paho) it prints what it sees and exits 0.
 */
// timeout: 120
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

static tu_counts counts = TU_COUNTS_INITIALIZER;

struct packet {
    const char *name;
    const unsigned char *v311, *v5; /* NULL: not sent at that version */
    int v311_len, v5_len;
    int v5_reason; /* the DISCONNECT reason code at MQTT 5 */
};

static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };

static const unsigned char nul_topic_v311[] = { 0x30, 0x06, 0x00, 0x03, 'a', 0x00, 'b', 'p' };
static const unsigned char nul_topic_v5[] = { 0x30, 0x07, 0x00, 0x03, 'a', 0x00, 'b', 0x00, 'p' };
static const unsigned char type0[] = { 0x00, 0x00 };
static const unsigned char auth_v311[] = { 0xf0, 0x00 };
static const unsigned char qos3_v311[] = { 0x36, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 'p' };
static const unsigned char qos3_v5[] = { 0x36, 0x07, 0x00, 0x01, 't', 0x00, 0x01, 0x00, 'p' };
static const unsigned char puback_unknown[] = { 0x40, 0x02, 0x00, 0x09 };
static const unsigned char suback_unknown_v311[] = { 0x90, 0x03, 0x00, 0x05, 0x00 };
static const unsigned char suback_unknown_v5[] = { 0x90, 0x04, 0x00, 0x05, 0x00, 0x00 };

/* MQTT 5 reason codes: 0x81 Malformed Packet for what cannot be parsed (U+0000
 * in a string, 1.5.4-2; packet type 0, 2.1.2; QoS 3, 3.3.1.2), 0x82 Protocol
 * Error for what parses but breaks the rules (a second CONNACK, 3.2.0-2; an
 * acknowledgement of nothing we sent). */
#define P(name, a, b, reason) { name, a, b, sizeof a, sizeof b, reason }
static const struct packet packets[] = {
    P("topic_with_nul", nul_topic_v311, nul_topic_v5, 0x81),
    P("packet_type_0", type0, type0, 0x81),
    { "auth_on_v311", auth_v311, NULL, sizeof auth_v311, 0, 0 },
    P("publish_qos3", qos3_v311, qos3_v5, 0x81),
    P("puback_unknown_id", puback_unknown, puback_unknown, 0x82),
    P("suback_unknown_id", suback_unknown_v311, suback_unknown_v5, 0x82),
    P("second_connack", connack_v311, connack_v5, 0x82),
};

struct kase {
    const struct packet *p;
    int v5;
    int use_receive; /* no callbacks: MQTTClient_receive */
};

/* Connection 0 gets the odd packet 200 ms after its CONNACK; later ones a
 * plain CONNACK. Both are held open 3 s. */
static fake_broker *start(const struct kase *k, fake_reply rep[2], char *uri, size_t size)
{
    fake_broker *fb;
    memset(rep, 0, 2 * sizeof *rep);
    rep[0].bytes = rep[1].bytes = k->v5 ? connack_v5 : connack_v311;
    rep[0].len = rep[1].len = k->v5 ? (int)sizeof connack_v5 : (int)sizeof connack_v311;
    rep[0].hold_ms = rep[1].hold_ms = 3000;
    rep[0].later = k->v5 ? k->p->v5 : k->p->v311;
    rep[0].later_len = k->v5 ? k->p->v5_len : k->p->v311_len;
    rep[0].later_ms = 200;
    fb = fake_start(rep, 2);
    snprintf(uri, size, "tcp://127.0.0.1:%d", fake_port(fb));
    return fb;
}

static int do_connect(MQTTClient c, int v5)
{
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r = MQTTClient_connect5(c, &o, NULL, NULL);
        MQTTResponse_free(r);
        return r.reasonCode;
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = MQTTVERSION_3_1_1;
        return MQTTClient_connect(c, &o);
    }
}

/* The reason code of the first DISCONNECT in what the client sent on the
 * fake broker's connection conn: -1 when there is none, 0 for a DISCONNECT
 * without a reason code. */
static int disconnect_reason(fake_broker *fb, int conn)
{
    unsigned char b[256];
    int n = fake_received(fb, conn, b, sizeof b), i = 0;
    while (i < n) {
        int type = b[i++], len = 0, shift = 0;
        while (i < n) {
            int x = b[i++];
            len |= (x & 0x7f) << shift;
            shift += 7;
            if (!(x & 0x80))
                break;
        }
        if (type == 0xe0)
            return len >= 1 && i < n ? b[i] : 0;
        i += len;
    }
    return -1;
}

static void note(const char *fmt, int v)
{
    size_t n = strlen(tu_child_note);
    snprintf(tu_child_note + n, sizeof tu_child_note - n, fmt, v);
}

/* With callbacks. Returns the number of failed expectations; the note has
 * what was seen. */
static int with_callbacks(const struct kase *k)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    fake_reply rep[2];
    char uri[64];
    fake_broker *fb = start(k, rep, uri, sizeof uri);
    int bad = 0, rc, l, a, connected, reason;
    long long deadline;

    co.MQTTVersion = k->v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    if (MQTTClient_createWithOptions(&c, uri, tu_client_id("hostile"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co) != 0)
        tu_fail("create");
    MQTTClient_setCallbacks(c, &counts, tu_count_lost, tu_count_arrived, NULL);
    rc = do_connect(c, k->v5);
    note(" connect=%d", rc);
    bad += rc != 0;
    deadline = tu_now_ms() + 2000;
    do {
        tu_sleep_ms(20);
        tu_counts_read(&counts, &a, &l, NULL);
    } while (l == 0 && tu_now_ms() < deadline);
    tu_sleep_ms(300); /* a second connectionLost or a late message would show */
    tu_counts_read(&counts, &a, &l, NULL);
    connected = MQTTClient_isConnected(c);
    note(" lost=%d", l);
    note(" arrived=%d", a);
    note(" connected=%d", connected);
    bad += l != 1 || a != 0 || connected != 0;
    reason = disconnect_reason(fb, 0);
    if (k->v5) {
        note(reason < 0 ? " disconnect=none" : " disconnect=0x%02x", reason);
        bad += reason != k->p->v5_reason;
    } else if (reason >= 0) {
        tu_log("MQTT 3.1.1: the client sent a DISCONNECT before closing");
    }

    rc = do_connect(c, k->v5);
    tu_sleep_ms(300);
    tu_counts_read(&counts, &a, &l, NULL);
    connected = MQTTClient_isConnected(c);
    note(" reconnect=%d", rc);
    note(" connected=%d", connected);
    bad += rc != 0 || connected != 1 || l != 1;
    if (k->v5)
        MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL);
    else
        MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    fake_stop(fb);
    return bad;
}

/* Without callbacks: receive must end with -3 and no message. */
static int with_receive(const struct kase *k)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    fake_reply rep[2];
    char uri[64];
    fake_broker *fb = start(k, rep, uri, sizeof uri);
    int bad = 0, rc, messages = 0;
    long long deadline;

    co.MQTTVersion = k->v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    if (MQTTClient_createWithOptions(&c, uri, tu_client_id("hostile"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co) != 0)
        tu_fail("create");
    rc = do_connect(c, k->v5);
    note(" connect=%d", rc);
    bad += rc != 0;
    deadline = tu_now_ms() + 2000;
    do {
        MQTTClient_message *m = NULL;
        char *topic = NULL;
        int len = 0;
        rc = MQTTClient_receive(c, &topic, &len, &m, 500);
        if (m) {
            messages++;
            MQTTClient_freeMessage(&m);
            MQTTClient_free(topic);
        }
    } while ((rc == MQTTCLIENT_SUCCESS || rc == MQTTCLIENT_TOPICNAME_TRUNCATED) && tu_now_ms() < deadline);
    note(" receive=%d", rc);
    note(" messages=%d", messages);
    bad += rc != MQTTCLIENT_DISCONNECTED || messages != 0;
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    fake_stop(fb);
    return bad;
}

static int run_case(void *arg)
{
    const struct kase *k = arg;
    tu_step(k->p->name);
    return k->use_receive ? with_receive(k) : with_callbacks(k);
}

int main(void)
{
    size_t i;
    int v5, use_receive, failures = 0;

    check_library();
    tu_watchdog(0); /* each case has its own */
    for (i = 0; i < sizeof packets / sizeof packets[0]; i++)
        for (v5 = 0; v5 <= 1; v5++)
            for (use_receive = 0; use_receive <= 1; use_receive++) {
                struct kase k;
                int bad = 0, how;
                k.p = &packets[i];
                k.v5 = v5;
                k.use_receive = use_receive;
                if (v5 && !k.p->v5)
                    continue;
                how = tu_in_child(run_case, &k, 20, &bad);
                printf("%s %s %s:", k.p->name, v5 ? "v5" : "v311", use_receive ? "receive" : "callbacks");
                if (how == TU_CHILD_OK)
                    printf("%s%s\n", tu_child_note, bad ? "  FAIL" : "");
                else
                    printf(" %s  FAIL\n", how == TU_CHILD_CRASH ? "crash" : how == TU_CHILD_HANG ? "hang" : "error");
                if (how != TU_CHILD_OK || bad)
                    failures++;
            }
    if (!tu_is_ours()) {
        tu_log("Paho: %d cases differ (expected: Paho ignores these packets)", failures);
        return 0;
    }
    if (failures)
        tu_fail("%d cases failed", failures);
    return 0;
}
