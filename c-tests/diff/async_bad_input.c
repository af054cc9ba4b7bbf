/*
 * Bad input table for the asynchronous API (differential): each row calls one
 * MQTTAsync function with one bad argument and prints "name: rc". When the
 * call is accepted (rc 0) the row also says what followed: the onSuccess or
 * onFailure it got (" then failure code=N") and, for sends the broker may
 * reject by closing the connection, whether the connection survived.
 *
 * Each row runs in its own fork()ed child. Rows where Debian's Paho crashes or
 * hangs are not here: they are in c-tests/async/bad_input_ours.c. Nor are the
 * rows Paho accepts (rc 0, then onFailure -11 and, for sends, a dropped
 * connection) where ours refuses at once and stays connected, a deliberate
 * deviation (c-tests/diff/README.md): empty, wildcard or 65,536-byte send
 * topic, empty or bad-wildcard subscription, (un)subscribeMany with count 0 or
 * less. c-tests/async/bad_input_ours.c asserts ours' codes for those.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static const char *uri(void) { return tu_env("MQTT_TEST_URI"); }

/* The outcome of the row's call, when it took callbacks. */
static ta_done g;
static int lost;

static void on_lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_lock();
    lost = 1;
    ta_unlock_notify();
}

static MQTTAsync mk(int version) { return ta_create(uri(), "bad", version); }

/* A client connected with MQTT 3.1.1 or 5, watching for connection loss. */
static MQTTAsync mkc(int version)
{
    MQTTAsync c = mk(version);
    int rc;
    MQTTAsync_setCallbacks(c, NULL, on_lost, ta_arrived_event, NULL);
    if ((rc = ta_connect(c, NULL, version)) != 0)
        tu_fail("connect: %d", rc);
    return c;
}

/* Appends to the row's note what happened to g after an accepted call. */
static int outcome(int rc, int timeout_ms)
{
    size_t n = strlen(tu_child_note);
    if (rc != MQTTASYNC_SUCCESS)
        return rc;
    switch (ta_wait_done(&g, timeout_ms)) {
    case 1: snprintf(tu_child_note + n, sizeof tu_child_note - n, " then success"); break;
    case -1: snprintf(tu_child_note + n, sizeof tu_child_note - n, " then failure code=%d", g.code); break;
    default: snprintf(tu_child_note + n, sizeof tu_child_note - n, " then no callback"); break;
    }
    return rc;
}

static int is_lost(void *arg) { (void)arg; return lost; }

/*
 * After a send the broker may reject (wildcard or bad topic), a subscribe
 * round trip shows whether the connection survived: the broker handles
 * packets in order, so the subscribe is acknowledged only if it did.
 */
static int then_probe(MQTTAsync c, int rc, int v5)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_done d;
    size_t n = strlen(tu_child_note);
    int ok;
    ta_response(&o, &d, v5);
    ok = MQTTAsync_subscribe(c, tu_topic("probe"), 1, &o) == MQTTASYNC_SUCCESS && ta_wait_done(&d, 5000) == 1;
    if (!ok)
        ta_wait_until(is_lost, NULL, 5000);
    tu_log("probe: subscribe state=%d lost=%d connected=%d", d.state, lost, MQTTAsync_isConnected(c));
    snprintf(tu_child_note + n, sizeof tu_child_note - n, " then %s", ok ? "connected" : "lost");
    return rc;
}

static int create_uri(const char *u)
{
    MQTTAsync c = NULL;
    return MQTTAsync_create(&c, u, tu_client_id("bad"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
}

static void set_cb(MQTTAsync_connectOptions *o, int v5)
{
    memset(&g, 0, sizeof g);
    g.is_connect = 1;
    o->context = &g;
    if (v5) {
        o->onSuccess5 = ta_on_success5;
        o->onFailure5 = ta_on_failure5;
    } else {
        o->onSuccess = ta_on_success;
        o->onFailure = ta_on_failure;
    }
}

/* Connects a fresh client (MQTT DEFAULT) with o, callbacks into g. */
static int connect_with(MQTTAsync_connectOptions *o)
{
    set_cb(o, 0);
    o->connectTimeout = 2;
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_DEFAULT), o), 8000);
}

/* Connects to a URI that create accepted; 1000 + rc when create failed. */
static int connect_uri(const char *u)
{
    MQTTAsync c = NULL;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    int rc = MQTTAsync_create(&c, u, tu_client_id("bad"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    if (rc != MQTTASYNC_SUCCESS)
        return 1000 + rc;
    set_cb(&o, 0);
    o.connectTimeout = 2;
    return outcome(MQTTAsync_connect(c, &o), 8000);
}

static int connect_server_uri(const char *u)
{
    char *list[1];
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    list[0] = (char *)u;
    o.serverURIs = list;
    o.serverURIcount = 1;
    return connect_with(&o);
}

/* Sends on a connected 3.1.1 client with callbacks into g, then probes. */
static int send_full(const char *topic, int len, const void *payload, int qos)
{
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_response(&o, &g, 0);
    return then_probe(c, outcome(MQTTAsync_send(c, topic, len, payload, qos, 0, &o), 3000), 0);
}
static int send_topic(const char *topic) { return send_full(topic, 2, "hi", 1); }

static int sendmsg_on(MQTTAsync c, MQTTAsync_message *m, int v5)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_response(&o, &g, v5);
    return then_probe(c, outcome(MQTTAsync_sendMessage(c, tu_topic("bad"), m, &o), 3000), v5);
}
static int sendmsg(MQTTAsync_message *m) { return sendmsg_on(mkc(MQTTVERSION_3_1_1), m, 0); }

static int with_response(MQTTAsync_responseOptions *o)
{
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    memset(&g, 0, sizeof g);
    o->context = &g;
    return outcome(MQTTAsync_send(c, tu_topic("bad"), 2, "hi", 1, 0, o), 3000);
}

static int subscribe_on(MQTTAsync c, const char *topic, int qos, int v5)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_response(&o, &g, v5);
    return outcome(MQTTAsync_subscribe(c, topic, qos, &o), 3000);
}
static int subscribe_topic(const char *topic, int qos) { return subscribe_on(mkc(MQTTVERSION_3_1_1), topic, qos, 0); }

static int submany(int count, char **topics, int *qos)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    ta_response(&o, &g, 0);
    return outcome(MQTTAsync_subscribeMany(c, count, topics, qos, &o), 3000);
}

static int unsubscribe_on(MQTTAsync c, const char *topic, int v5)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_response(&o, &g, v5);
    return outcome(MQTTAsync_unsubscribe(c, topic, &o), 3000);
}

static int disconnect_with(MQTTAsync c, MQTTAsync_disconnectOptions *o, int v5)
{
    memset(&g, 0, sizeof g);
    o->context = &g;
    if (v5) {
        o->onSuccess5 = ta_on_success5;
        o->onFailure5 = ta_on_failure5;
    } else {
        o->onSuccess = ta_on_success;
        o->onFailure = ta_on_failure;
    }
    return outcome(MQTTAsync_disconnect(c, o), 3000);
}

/* A client created with the given create options (sendWhileDisconnected...). */
static MQTTAsync mk_opts(MQTTAsync_createOptions *co)
{
    MQTTAsync c = NULL;
    int rc = MQTTAsync_createWithOptions(&c, uri(), tu_client_id("bad"), MQTTCLIENT_PERSISTENCE_NONE, NULL, co);
    if (rc != MQTTASYNC_SUCCESS)
        tu_fail("createWithOptions: %d", rc);
    return c;
}

/* Sends n QoS 1 messages on a never connected client; returns the last rc and
 * notes every rc. */
static int send_n(MQTTAsync c, int n)
{
    int i, rc = 0;
    size_t len;
    for (i = 0; i < n; i++) {
        rc = MQTTAsync_send(c, tu_topic("buf"), 2, "hi", 1, 0, NULL);
        len = strlen(tu_child_note);
        snprintf(tu_child_note + len, sizeof tu_child_note - len, "%s%d", i ? "," : " rcs=", rc);
    }
    return rc;
}

/* ---- rows ---------------------------------------------------------------- */
#define ROW(name) static int name(void)

ROW(create_null_uri) { MQTTAsync c; return MQTTAsync_create(&c, NULL, "id", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(create_null_clientid) { MQTTAsync c; return MQTTAsync_create(&c, uri(), NULL, MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(create_empty_clientid) { MQTTAsync c; return MQTTAsync_create(&c, uri(), "", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(create_bad_utf8_clientid) { MQTTAsync c; return MQTTAsync_create(&c, uri(), "a\xff\xfe", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(create_empty_uri) { return create_uri(""); }
ROW(create_uri_no_scheme) { return create_uri("127.0.0.1:1"); }
ROW(create_uri_scheme_only) { return create_uri("tcp://"); }
ROW(create_uri_missing_slashes) { return create_uri("tcp:127.0.0.1:1"); }
ROW(create_uri_unknown_scheme) { return create_uri("http://127.0.0.1:1"); }
ROW(create_uri_unclosed_bracket) { return create_uri("tcp://[::1:1"); }
ROW(create_uri_ssl) { return create_uri("ssl://127.0.0.1:1"); }
ROW(create_uri_mqtts) { return create_uri("mqtts://127.0.0.1:1"); }
ROW(create_uri_wss) { return create_uri("wss://127.0.0.1:1"); }
ROW(create_uri_ws) { return create_uri("ws://127.0.0.1:1"); }
ROW(create_uri_unix) { return create_uri("unix:///tmp/nonexistent.sock"); }
ROW(create_uri_port0) { return create_uri("tcp://127.0.0.1:0"); }
ROW(create_uri_port70000) { return create_uri("tcp://127.0.0.1:70000"); }
ROW(create_persistence_bad_type) { MQTTAsync c; return MQTTAsync_create(&c, uri(), "id", 7, NULL); }
ROW(createopts_null) { MQTTAsync c; return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, NULL); }
ROW(createopts_bad_struct_id)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.struct_id[0] = 'X';
    return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(createopts_version_too_new)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.struct_version = 3;
    return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(createopts_version_negative)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.struct_version = -1;
    return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(createopts_mqttversion_7)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.MQTTVersion = 7;
    return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(createopts_ssl_uri)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    return MQTTAsync_createWithOptions(&c, "ssl://127.0.0.1:1", "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}

ROW(connect_null_options) { return MQTTAsync_connect(mk(MQTTVERSION_DEFAULT), NULL); }
ROW(connect_bad_struct_id)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.struct_id[3] = 'X';
    return connect_with(&o);
}
ROW(connect_version_too_new)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.struct_version = 9;
    return connect_with(&o);
}
ROW(connect_version_negative)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.struct_version = -1;
    return connect_with(&o);
}
ROW(connect_mqttversion_7)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.MQTTVersion = 7;
    return connect_with(&o);
}
ROW(will_bad_struct_id)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    w.topicName = tu_topic("will");
    w.message = "bye";
    w.struct_id[0] = 'X';
    o.will = &w;
    return connect_with(&o);
}
ROW(will_version_too_new)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    w.topicName = tu_topic("will");
    w.message = "bye";
    w.struct_version = 2;
    o.will = &w;
    return connect_with(&o);
}
ROW(will_empty_topic)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    w.topicName = "";
    w.message = "bye";
    o.will = &w;
    return connect_with(&o);
}
ROW(will_wildcard_topic)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    w.topicName = tu_topic("will/#");
    w.message = "bye";
    o.will = &w;
    return connect_with(&o);
}
ROW(will_qos_3)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    w.topicName = tu_topic("will");
    w.message = "bye";
    w.qos = 3;
    o.will = &w;
    return connect_with(&o);
}
ROW(ssl_opts_on_tcp_uri)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_SSLOptions s = MQTTAsync_SSLOptions_initializer;
    o.ssl = &s;
    return connect_with(&o);
}
ROW(ssl_opts_bad_struct_id)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_SSLOptions s = MQTTAsync_SSLOptions_initializer;
    s.struct_id[0] = 'X';
    o.ssl = &s;
    return connect_with(&o);
}
ROW(ssl_opts_version_too_new)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_SSLOptions s = MQTTAsync_SSLOptions_initializer;
    s.struct_version = 6;
    o.ssl = &s;
    return connect_with(&o);
}
ROW(connect_uri_port0) { return connect_uri("tcp://127.0.0.1:0"); }
ROW(connect_uri_nonnumeric_port) { return connect_uri("tcp://127.0.0.1:abc"); }
ROW(connect_uri_closed_port) { return connect_uri("tcp://127.0.0.1:1"); }
ROW(serveruris_empty) { return connect_server_uri(""); }
ROW(serveruris_unknown_scheme) { return connect_server_uri("http://127.0.0.1:1"); }
ROW(serveruris_malformed) { return connect_server_uri("tcp//127.0.0.1"); }
ROW(serveruris_ssl) { return connect_server_uri("ssl://127.0.0.1:1"); }
ROW(serveruris_port0) { return connect_server_uri("tcp://127.0.0.1:0"); }
ROW(connect_onsuccess5_on_v311)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    set_cb(&o, 1);
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_3_1_1), &o), 5000);
}
ROW(connect_onsuccess_on_v5)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer5;
    set_cb(&o, 0);
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_5), &o), 5000);
}
ROW(connect_v5_on_default_client)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer5;
    set_cb(&o, 1);
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_DEFAULT), &o), 5000);
}
ROW(connect_v311_on_v5_client)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    set_cb(&o, 0);
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_5), &o), 5000);
}
ROW(connect_cleansession_on_v5)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer5;
    set_cb(&o, 1);
    o.cleansession = 1;
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_5), &o), 5000);
}
ROW(connect_cleanstart_on_v311)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    set_cb(&o, 0);
    o.cleanstart = 1;
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_3_1_1), &o), 5000);
}
ROW(connect_properties_on_v311)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTProperties props = MQTTProperties_initializer;
    MQTTProperty p;
    p.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
    p.value.integer4 = 10;
    MQTTProperties_add(&props, &p);
    set_cb(&o, 0);
    o.MQTTVersion = MQTTVERSION_3_1_1;
    o.connectProperties = &props;
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_3_1_1), &o), 5000);
}
ROW(will_properties_on_v311)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    MQTTProperties props = MQTTProperties_initializer;
    MQTTProperty p;
    p.identifier = MQTTPROPERTY_CODE_WILL_DELAY_INTERVAL;
    p.value.integer4 = 10;
    MQTTProperties_add(&props, &p);
    w.topicName = tu_topic("will");
    w.message = "bye";
    o.will = &w;
    o.willProperties = &props;
    set_cb(&o, 0);
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return outcome(MQTTAsync_connect(mk(MQTTVERSION_3_1_1), &o), 5000);
}
ROW(will_qos_minus1)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    w.topicName = tu_topic("will");
    w.message = "bye";
    w.qos = -1;
    o.will = &w;
    return connect_with(&o);
}
ROW(connect_empty_clientid_cleansession0)
{
    MQTTAsync c = NULL;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_create(&c, uri(), "", MQTTCLIENT_PERSISTENCE_NONE, NULL);
    set_cb(&o, 0);
    o.cleansession = 0;
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return outcome(MQTTAsync_connect(c, &o), 5000);
}
ROW(connect_twice)
{
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    set_cb(&o, 0);
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return outcome(MQTTAsync_connect(c, &o), 5000);
}
ROW(connect_serveruris_count_negative)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.serverURIcount = -1;
    return connect_with(&o);
}

ROW(disconnect_null_handle) { MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer; return MQTTAsync_disconnect(NULL, &o); }
ROW(disconnect_null_options) { return MQTTAsync_disconnect(mkc(MQTTVERSION_3_1_1), NULL); }
ROW(disconnect_never_connected)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    return disconnect_with(mk(MQTTVERSION_DEFAULT), &o, 0);
}
ROW(disconnect_bad_struct_id)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    o.struct_id[0] = 'X';
    return disconnect_with(mkc(MQTTVERSION_3_1_1), &o, 0);
}
ROW(disconnect_version_too_new)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    o.struct_version = 2;
    return disconnect_with(mkc(MQTTVERSION_3_1_1), &o, 0);
}
ROW(disconnect_onsuccess5_on_v311)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer5;
    return disconnect_with(mkc(MQTTVERSION_3_1_1), &o, 1);
}
ROW(disconnect_onsuccess_on_v5)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer5;
    return disconnect_with(mkc(MQTTVERSION_5), &o, 0);
}
ROW(disconnect_reason_on_v311)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer5;
    o.reasonCode = MQTTREASONCODE_DISCONNECT_WITH_WILL_MESSAGE;
    return disconnect_with(mkc(MQTTVERSION_3_1_1), &o, 0);
}
ROW(disconnect_twice)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    disconnect_with(c, &o, 0);
    tu_child_note[0] = '\0';
    return disconnect_with(c, &o, 0);
}

ROW(send_null_handle) { return MQTTAsync_send(NULL, "t", 2, "hi", 0, 0, NULL); }
ROW(send_null_topic) { return send_topic(NULL); }
ROW(send_bad_utf8_topic) { return send_topic(tu_topic("bad\xff\xfe")); }
ROW(send_nul_in_utf8_topic) { return send_topic(tu_topic("over\xc0\x80long")); }
ROW(send_topic_65535)
{
    char *t = malloc(65536);
    memset(t, 'a', 65535);
    t[65535] = '\0';
    return send_topic(t);
}
ROW(send_null_payload_len0) { return send_full(tu_topic("bad"), 0, NULL, 1); }
ROW(send_qos_minus1) { return send_full(tu_topic("bad"), 2, "hi", -1); }
ROW(send_qos_3) { return send_full(tu_topic("bad"), 2, "hi", 3); }
ROW(send_null_response) { MQTTAsync c = mkc(MQTTVERSION_3_1_1); return then_probe(c, MQTTAsync_send(c, tu_topic("bad"), 2, "hi", 1, 0, NULL), 0); }
ROW(send_never_connected) { return MQTTAsync_send(mk(MQTTVERSION_DEFAULT), tu_topic("bad"), 2, "hi", 1, 0, NULL); }
ROW(send_after_disconnect)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    disconnect_with(c, &o, 0);
    tu_child_note[0] = '\0';
    return MQTTAsync_send(c, tu_topic("bad"), 2, "hi", 1, 0, NULL);
}
ROW(response_bad_struct_id)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    o.onSuccess = ta_on_success;
    o.onFailure = ta_on_failure;
    o.struct_id[0] = 'X';
    return with_response(&o);
}
ROW(response_version_too_new)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    o.onSuccess = ta_on_success;
    o.onFailure = ta_on_failure;
    o.struct_version = 2;
    return with_response(&o);
}
ROW(response_both_success_forms)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    o.onSuccess = ta_on_success;
    o.onSuccess5 = ta_on_success5;
    return with_response(&o);
}
ROW(send_onsuccess5_on_v311)
{
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_response(&o, &g, 1);
    return then_probe(c, outcome(MQTTAsync_send(c, tu_topic("bad"), 2, "hi", 1, 0, &o), 3000), 0);
}
ROW(send_onsuccess_on_v5)
{
    MQTTAsync c = mkc(MQTTVERSION_5);
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    ta_response(&o, &g, 0);
    return then_probe(c, outcome(MQTTAsync_send(c, tu_topic("bad"), 2, "hi", 1, 0, &o), 3000), 1);
}
ROW(sendmessage_bad_struct_id)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.struct_id[0] = 'X';
    return sendmsg(&m);
}
ROW(sendmessage_version_too_new)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.struct_version = 2;
    return sendmsg(&m);
}
ROW(sendmessage_qos_3)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.qos = 3;
    return sendmsg(&m);
}
ROW(sendmessage_qos_minus1)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.qos = -1;
    return sendmsg(&m);
}
ROW(sendmessage_properties_on_v311)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    MQTTProperty p;
    m.payload = "hi";
    m.payloadlen = 2;
    p.identifier = MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL;
    p.value.integer4 = 60;
    MQTTProperties_add(&m.properties, &p);
    return sendmsg(&m);
}
ROW(sendmessage_v0_on_v5)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.struct_version = 0;
    return sendmsg_on(mkc(MQTTVERSION_5), &m, 1);
}
ROW(sendmessage_null_message) { return MQTTAsync_sendMessage(mkc(MQTTVERSION_3_1_1), tu_topic("bad"), NULL, NULL); }
ROW(sendwhiledisconnected_never_connected)
{
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.sendWhileDisconnected = 1;
    return send_n(mk_opts(&co), 1);
}
ROW(anytime_never_connected)
{
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1;
    return send_n(mk_opts(&co), 1);
}
ROW(maxbuffered_exceeded)
{
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1;
    co.maxBufferedMessages = 2;
    return send_n(mk_opts(&co), 3);
}
ROW(maxbuffered_delete_oldest)
{
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1;
    co.maxBufferedMessages = 2;
    co.deleteOldestMessages = 1;
    return send_n(mk_opts(&co), 3);
}
ROW(maxbuffered_zero)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.sendWhileDisconnected = 1;
    co.maxBufferedMessages = 0;
    return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(maxbuffered_negative)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.sendWhileDisconnected = 1;
    co.maxBufferedMessages = -1;
    return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(maxbuffered_zero_not_buffering)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.maxBufferedMessages = 0;
    return MQTTAsync_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(maxbuffered_ignored_v0)
{
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    co.struct_version = 0;
    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1; /* not read at version 0 */
    co.maxBufferedMessages = 1;
    return send_n(mk_opts(&co), 2);
}
ROW(sendwhiledisconnected_after_disconnect)
{
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    MQTTAsync c;
    co.sendWhileDisconnected = 1;
    c = mk_opts(&co);
    if (ta_connect(c, NULL, MQTTVERSION_DEFAULT) != 0)
        tu_fail("connect");
    disconnect_with(c, &o, 0);
    tu_child_note[0] = '\0';
    return send_n(c, 1);
}
ROW(anytime_after_disconnect)
{
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    MQTTAsync c;
    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1;
    c = mk_opts(&co);
    if (ta_connect(c, NULL, MQTTVERSION_DEFAULT) != 0)
        tu_fail("connect");
    disconnect_with(c, &o, 0);
    tu_child_note[0] = '\0';
    return send_n(c, 1);
}

ROW(subscribe_null_handle) { return MQTTAsync_subscribe(NULL, "t", 0, NULL); }
ROW(subscribe_null_topic) { return subscribe_topic(NULL, 0); }
ROW(subscribe_bad_utf8_topic) { return subscribe_topic(tu_topic("bad\xff"), 0); }
ROW(subscribe_qos_minus1) { return subscribe_topic(tu_topic("bad"), -1); }
ROW(subscribe_qos_3) { return subscribe_topic(tu_topic("bad"), 3); }
ROW(subscribe_never_connected) { return subscribe_on(mk(MQTTVERSION_DEFAULT), tu_topic("bad"), 0, 0); }
ROW(subscribe_onsuccess5_on_v311) { return subscribe_on(mkc(MQTTVERSION_3_1_1), tu_topic("bad"), 1, 1); }
ROW(subscribe_onsuccess_on_v5) { return subscribe_on(mkc(MQTTVERSION_5), tu_topic("bad"), 1, 0); }
ROW(subscribe_response_bad_struct_id)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    ta_response(&o, &g, 0);
    o.struct_id[0] = 'X';
    return outcome(MQTTAsync_subscribe(c, tu_topic("ok"), 1, &o), 3000);
}
ROW(subscribe_properties_on_v311)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    MQTTProperty p;
    ta_response(&o, &g, 0);
    p.identifier = MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER;
    p.value.integer4 = 3;
    MQTTProperties_add(&o.properties, &p);
    return outcome(MQTTAsync_subscribe(c, tu_topic("ok"), 1, &o), 3000);
}
ROW(subscribe_nolocal_on_v311)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    MQTTAsync c = mkc(MQTTVERSION_3_1_1);
    ta_response(&o, &g, 0);
    o.subscribeOptions.noLocal = 1;
    return outcome(MQTTAsync_subscribe(c, tu_topic("bad"), 1, &o), 3000);
}
ROW(subscribemany_null_handle) { char *t[1] = { "t" }; int q[1] = { 0 }; return MQTTAsync_subscribeMany(NULL, 1, t, q, NULL); }
ROW(subscribemany_null_entry)
{
    char *t[2];
    int q[2] = { 0, 0 };
    t[0] = (char *)tu_topic("ok");
    t[1] = NULL;
    return submany(2, t, q);
}
ROW(subscribemany_qos_3)
{
    char *t[2];
    int q[2] = { 0, 3 };
    t[0] = (char *)tu_topic("ok");
    t[1] = (char *)tu_topic("ok2");
    return submany(2, t, q);
}
ROW(subscribemany_bad_utf8)
{
    char *t[2];
    int q[2] = { 0, 1 };
    t[0] = (char *)tu_topic("ok");
    t[1] = (char *)tu_topic("bad\xff");
    return submany(2, t, q);
}

ROW(unsubscribe_null_handle) { return MQTTAsync_unsubscribe(NULL, "t", NULL); }
ROW(unsubscribe_null_topic) { return unsubscribe_on(mkc(MQTTVERSION_3_1_1), NULL, 0); }
ROW(unsubscribe_bad_utf8_topic) { return unsubscribe_on(mkc(MQTTVERSION_3_1_1), tu_topic("bad\xff"), 0); }
ROW(unsubscribe_never_connected) { return unsubscribe_on(mk(MQTTVERSION_DEFAULT), tu_topic("bad"), 0); }
ROW(unsubscribe_onsuccess5_on_v311) { return unsubscribe_on(mkc(MQTTVERSION_3_1_1), tu_topic("bad"), 1); }
ROW(unsubscribe_onsuccess_on_v5) { return unsubscribe_on(mkc(MQTTVERSION_5), tu_topic("bad"), 0); }
ROW(unsubscribemany_null_handle) { char *t[1] = { "t" }; return MQTTAsync_unsubscribeMany(NULL, 1, t, NULL); }

static int arrived(void *ctx, char *t, int l, MQTTAsync_message *m) { return ta_arrived_event(ctx, t, l, m); }
ROW(setcallbacks_null_handle) { return MQTTAsync_setCallbacks(NULL, NULL, NULL, arrived, NULL); }
ROW(setcallbacks_null_arrived) { return MQTTAsync_setCallbacks(mk(MQTTVERSION_DEFAULT), NULL, NULL, NULL, NULL); }
ROW(setcallbacks_while_connected) { return MQTTAsync_setCallbacks(mkc(MQTTVERSION_3_1_1), NULL, NULL, arrived, NULL); }
ROW(setmessagearrived_null_handle) { return MQTTAsync_setMessageArrivedCallback(NULL, NULL, arrived); }
ROW(setmessagearrived_while_connected) { return MQTTAsync_setMessageArrivedCallback(mkc(MQTTVERSION_3_1_1), NULL, arrived); }
ROW(setconnectionlost_null_handle) { return MQTTAsync_setConnectionLostCallback(NULL, NULL, NULL); }
ROW(setdeliverycomplete_null_handle) { return MQTTAsync_setDeliveryCompleteCallback(NULL, NULL, NULL); }
ROW(setconnected_null_handle) { return MQTTAsync_setConnected(NULL, NULL, NULL); }
ROW(setdisconnected_null_handle) { return MQTTAsync_setDisconnected(NULL, NULL, NULL); }
ROW(setupdateconnectoptions_null_handle) { return MQTTAsync_setUpdateConnectOptions(NULL, NULL, NULL); }
ROW(waitforcompletion_null_handle) { return MQTTAsync_waitForCompletion(NULL, 1, 100); }
ROW(waitforcompletion_unknown_token) { return MQTTAsync_waitForCompletion(mkc(MQTTVERSION_3_1_1), 4242, 100); }
ROW(waitforcompletion_never_connected) { return MQTTAsync_waitForCompletion(mk(MQTTVERSION_DEFAULT), 1, 100); }
ROW(iscomplete_null_handle) { return MQTTAsync_isComplete(NULL, 1); }
ROW(iscomplete_unknown_token) { return MQTTAsync_isComplete(mkc(MQTTVERSION_3_1_1), 4242); }
ROW(pending_tokens_null_handle) { MQTTAsync_token *t; return MQTTAsync_getPendingTokens(NULL, &t); }
ROW(pending_tokens_never_connected)
{
    MQTTAsync_token *t = (MQTTAsync_token *)&g;
    int rc = MQTTAsync_getPendingTokens(mk(MQTTVERSION_DEFAULT), &t);
    snprintf(tu_child_note, sizeof tu_child_note, " list=%s", t == NULL ? "NULL" : "set");
    return rc;
}
ROW(isconnected_null_handle) { return MQTTAsync_isConnected(NULL); }
ROW(isconnected_never_connected) { return MQTTAsync_isConnected(mk(MQTTVERSION_DEFAULT)); }
ROW(reconnect_never_connected) { return MQTTAsync_reconnect(mk(MQTTVERSION_DEFAULT)); }
ROW(reconnect_while_connected) { return MQTTAsync_reconnect(mkc(MQTTVERSION_3_1_1)); }
ROW(destroy_null_handle) { MQTTAsync c = NULL; MQTTAsync_destroy(&c); return 0; }
ROW(destroy_never_connected) { MQTTAsync c = mk(MQTTVERSION_DEFAULT); MQTTAsync_destroy(&c); return c == NULL; }
ROW(free_null) { MQTTAsync_free(NULL); return 0; }
ROW(strerror_unknown)
{
    const char *s = MQTTAsync_strerror(12345);
    snprintf(tu_child_note, sizeof tu_child_note, " -> %s", s ? "text" : "NULL");
    return 0;
}

#define R(f) { #f, f }
static const struct row { const char *name; int (*fn)(void); } rows[] = {
    R(create_null_uri), R(create_null_clientid), R(create_empty_clientid), R(create_bad_utf8_clientid),
    R(create_empty_uri), R(create_uri_no_scheme), R(create_uri_scheme_only), R(create_uri_missing_slashes),
    R(create_uri_unknown_scheme), R(create_uri_unclosed_bracket), R(create_uri_ssl), R(create_uri_mqtts),
    R(create_uri_wss), R(create_uri_ws), R(create_uri_unix), R(create_uri_port0), R(create_uri_port70000),
    R(create_persistence_bad_type),
    R(createopts_null), R(createopts_bad_struct_id), R(createopts_version_too_new),
    R(createopts_version_negative), R(createopts_mqttversion_7), R(createopts_ssl_uri),
    R(connect_null_options), R(connect_bad_struct_id), R(connect_version_too_new),
    R(connect_version_negative), R(connect_mqttversion_7),
    R(will_bad_struct_id), R(will_version_too_new), R(will_empty_topic), R(will_wildcard_topic),
    R(will_qos_3), R(will_qos_minus1), R(will_properties_on_v311),
    R(ssl_opts_on_tcp_uri), R(ssl_opts_bad_struct_id), R(ssl_opts_version_too_new),
    R(connect_uri_port0), R(connect_uri_nonnumeric_port), R(connect_uri_closed_port),
    R(serveruris_empty), R(serveruris_unknown_scheme), R(serveruris_malformed), R(serveruris_ssl),
    R(serveruris_port0),
    R(connect_onsuccess5_on_v311), R(connect_onsuccess_on_v5), R(connect_v5_on_default_client),
    R(connect_v311_on_v5_client), R(connect_cleansession_on_v5), R(connect_cleanstart_on_v311),
    R(connect_properties_on_v311), R(connect_empty_clientid_cleansession0), R(connect_twice), R(connect_serveruris_count_negative),
    R(disconnect_null_handle), R(disconnect_null_options), R(disconnect_never_connected),
    R(disconnect_bad_struct_id), R(disconnect_version_too_new), R(disconnect_onsuccess5_on_v311),
    R(disconnect_onsuccess_on_v5), R(disconnect_reason_on_v311), R(disconnect_twice),
    R(send_null_handle), R(send_null_topic),
    R(send_bad_utf8_topic), R(send_nul_in_utf8_topic),
    R(send_topic_65535), R(send_null_payload_len0), R(send_qos_minus1), R(send_qos_3), R(send_null_response),
    R(send_never_connected), R(send_after_disconnect),
    R(response_bad_struct_id), R(response_version_too_new), R(response_both_success_forms),
    R(send_onsuccess5_on_v311), R(send_onsuccess_on_v5),
    R(sendmessage_bad_struct_id), R(sendmessage_version_too_new), R(sendmessage_qos_3), R(sendmessage_qos_minus1),
    R(sendmessage_properties_on_v311), R(sendmessage_v0_on_v5), R(sendmessage_null_message),
    R(sendwhiledisconnected_never_connected),
    R(anytime_never_connected),
    R(maxbuffered_exceeded), R(maxbuffered_delete_oldest), R(maxbuffered_zero), R(maxbuffered_negative),
    R(maxbuffered_zero_not_buffering), R(maxbuffered_ignored_v0),
    R(sendwhiledisconnected_after_disconnect),
    R(anytime_after_disconnect),
    R(subscribe_null_handle), R(subscribe_null_topic), R(subscribe_bad_utf8_topic),
    R(subscribe_qos_minus1), R(subscribe_qos_3), R(subscribe_never_connected),
    R(subscribe_onsuccess5_on_v311), R(subscribe_onsuccess_on_v5), R(subscribe_response_bad_struct_id),
    R(subscribe_properties_on_v311), R(subscribe_nolocal_on_v311),
    R(subscribemany_null_handle),
    R(subscribemany_null_entry), R(subscribemany_qos_3), R(subscribemany_bad_utf8),
    R(unsubscribe_null_handle), R(unsubscribe_null_topic), R(unsubscribe_bad_utf8_topic),
    R(unsubscribe_never_connected), R(unsubscribe_onsuccess5_on_v311), R(unsubscribe_onsuccess_on_v5),
    R(unsubscribemany_null_handle),
    R(setcallbacks_null_handle), R(setcallbacks_null_arrived), R(setcallbacks_while_connected),
    R(setmessagearrived_null_handle), R(setmessagearrived_while_connected),
    R(setconnectionlost_null_handle),
    R(setdeliverycomplete_null_handle),
    R(setconnected_null_handle),
    R(setdisconnected_null_handle),
    R(setupdateconnectoptions_null_handle),
    R(waitforcompletion_null_handle), R(waitforcompletion_unknown_token),
    R(waitforcompletion_never_connected),
    R(iscomplete_null_handle), R(iscomplete_unknown_token),
    R(pending_tokens_null_handle), R(pending_tokens_never_connected),
    R(isconnected_null_handle), R(isconnected_never_connected),
    R(reconnect_never_connected), R(reconnect_while_connected),
    R(destroy_null_handle), R(destroy_never_connected),
    R(free_null),
    R(strerror_unknown),
};

static int run_row(void *arg)
{
    const struct row *r = arg;
    tu_step(r->name);
    return r->fn();
}

int main(int argc, char **argv)
{
    size_t i;
    check_library_async();
    tu_watchdog(0); /* rows have their own; the runner bounds the whole table */
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int rc = 0, how;
        long long t0 = tu_now_ms();
        if (argc > 1 && !strstr(rows[i].name, argv[1]))
            continue;
        how = tu_in_child(run_row, (void *)&rows[i], 10, &rc);
        tu_log("%s took %lld ms", rows[i].name, tu_now_ms() - t0);
        switch (how) {
        case TU_CHILD_OK: printf("%s: %d%s\n", rows[i].name, rc, tu_child_note); break;
        case TU_CHILD_CRASH: printf("%s: crash\n", rows[i].name); break;
        case TU_CHILD_HANG: printf("%s: hang\n", rows[i].name); break;
        default: printf("%s: error\n", rows[i].name); break;
        }
    }
    return 0;
}
