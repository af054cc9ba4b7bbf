/*
 * Bad input table (differential): each row calls one API function with one
 * bad argument and prints "name: rc". Run against Debian's Paho and ours, the
 * output must be identical, i.e. we return Paho's code for every case.
 *
 * Each row runs in its own fork()ed child, so rows cannot disturb each other
 * and a crash or hang is reported instead of killing the table. Rows where
 * Debian's Paho crashes or hangs are not here: they are in
 * c-tests/sync/bad_input_ours.c, which checks that ours returns an error.
 *
 * Paho lets several bad publishes and subscribes through (rc 0 or -1) and the
 * broker then drops the connection: wildcard or empty publish topic, a topic
 * over 65,535 bytes, negative payloadlen, QoS -1/3, an empty or `a/#/b`
 * subscription, subscribeMany with count 0. Ours refuses those at once and
 * stays connected, a deliberate deviation (c-tests/diff/README.md), so those
 * rows are not here but in c-tests/sync/bad_input_ours.c, which asserts ours'
 * codes. Rows that could disturb the connection add " then connected|lost"
 * from a subscribe round trip made right after.
 * A row printing 1000+rc means MQTTClient_create already failed with rc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

static const char *uri(void) { return tu_env("MQTT_TEST_URI"); }

/* A client for the test broker, created for the given MQTT version. */
static MQTTClient mk_uri(const char *u, int version)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    int rc;
    co.MQTTVersion = version;
    rc = MQTTClient_createWithOptions(&c, u, tu_client_id("bad"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("create %s: %d", u, rc);
    return c;
}
static MQTTClient mk(int version) { return mk_uri(uri(), version); }

/* A client connected to the test broker with MQTT 3.1.1 or 5. */
static MQTTClient mkc(int version)
{
    MQTTClient c = mk(version);
    if (version == MQTTVERSION_5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r = MQTTClient_connect5(c, &o, NULL, NULL);
        if (r.reasonCode != 0)
            tu_fail("connect5: %d", r.reasonCode);
        MQTTResponse_free(r);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = version;
        if (MQTTClient_connect(c, &o) != 0)
            tu_fail("connect failed");
    }
    return c;
}

static int connect_with(MQTTClient_connectOptions *o)
{
    return MQTTClient_connect(mk(MQTTVERSION_DEFAULT), o);
}

static int create_uri(const char *u)
{
    MQTTClient c = NULL;
    return MQTTClient_create(&c, u, tu_client_id("bad"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
}

/* Connect to a URI that MQTTClient_create accepted. */
static int connect_uri(const char *u)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    int rc = MQTTClient_create(&c, u, tu_client_id("bad"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    if (rc != MQTTCLIENT_SUCCESS)
        return 1000 + rc; /* marks "create already failed" */
    o.connectTimeout = 2;
    return MQTTClient_connect(c, &o);
}

/* Connect to the test broker with serverURIs = { u }. */
static int connect_server_uri(const char *u)
{
    char *list[1];
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    list[0] = (char *)u;
    o.serverURIs = list;
    o.serverURIcount = 1;
    o.connectTimeout = 2;
    return connect_with(&o);
}

/*
 * Paho accepts some bad publishes and lets the broker reject them by closing
 * the connection. A subscribe round trip right after shows whether the
 * connection survived (the broker handles packets in order, so no race); the
 * result goes into the row's note.
 */
static int then_probe(MQTTClient c, int rc)
{
    int sub = MQTTClient_subscribe(c, tu_topic("probe"), 1);
    /* Only ok/lost: whether the failed subscribe says -1 or -3 depends on
     * when the client noticed the close. */
    tu_log("probe: subscribe=%d connected=%d", sub, MQTTClient_isConnected(c));
    snprintf(tu_child_note, sizeof tu_child_note, " then %s",
             sub == MQTTCLIENT_SUCCESS && MQTTClient_isConnected(c) ? "connected" : "lost");
    return rc;
}

static int publish_full(const char *topic, int len, const void *payload, int qos)
{
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    return then_probe(c, MQTTClient_publish(c, topic, len, payload, qos, 0, NULL));
}
static int publish_topic(const char *topic) { return publish_full(topic, 2, "hi", 1); }

static int pubmsg(MQTTClient_message *m)
{
    MQTTClient_deliveryToken dt;
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    return then_probe(c, MQTTClient_publishMessage(c, tu_topic("bad"), m, &dt));
}

/* ---- rows ---------------------------------------------------------------- */
#define ROW(name) static int name(void)

ROW(create_null_uri) { MQTTClient c; return MQTTClient_create(&c, NULL, "id", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(create_null_clientid) { MQTTClient c; return MQTTClient_create(&c, uri(), NULL, MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(create_empty_clientid) { MQTTClient c; return MQTTClient_create(&c, uri(), "", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
ROW(create_bad_utf8_clientid) { MQTTClient c; return MQTTClient_create(&c, uri(), "a\xff\xfe", MQTTCLIENT_PERSISTENCE_NONE, NULL); }
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
ROW(connect_uri_port0) { return connect_uri("tcp://127.0.0.1:0"); }
ROW(connect_uri_empty) { return connect_uri(""); }
ROW(connect_uri_scheme_only) { return connect_uri("tcp://"); }
ROW(connect_uri_nonnumeric_port) { return connect_uri("tcp://127.0.0.1:abc"); }
ROW(create_persistence_bad_type) { MQTTClient c; return MQTTClient_create(&c, uri(), "id", 7, NULL); }
ROW(createopts_null) { MQTTClient c; return MQTTClient_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, NULL); }
ROW(createopts_bad_struct_id)
{
    MQTTClient c;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.struct_id[0] = 'X';
    return MQTTClient_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(createopts_version_too_new)
{
    MQTTClient c;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.struct_version = 1;
    return MQTTClient_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}
ROW(createopts_mqttversion_7)
{
    MQTTClient c;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.MQTTVersion = 7;
    return MQTTClient_createWithOptions(&c, uri(), "id", MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
}

ROW(connect_null_handle) { MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer; return MQTTClient_connect(NULL, &o); }
ROW(connect_null_options) { return MQTTClient_connect(mk(MQTTVERSION_DEFAULT), NULL); }
ROW(connect_bad_struct_id)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    o.struct_id[3] = 'X';
    return connect_with(&o);
}
ROW(connect_version_too_new)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    o.struct_version = 9;
    return connect_with(&o);
}
ROW(connect_version_negative)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    o.struct_version = -1;
    return connect_with(&o);
}
ROW(connect_mqttversion_7)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    o.MQTTVersion = 7;
    return connect_with(&o);
}
ROW(will_bad_struct_id)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    w.topicName = tu_topic("will");
    w.message = "bye";
    w.struct_id[0] = 'X';
    o.will = &w;
    return connect_with(&o);
}
ROW(will_version_too_new)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    w.topicName = tu_topic("will");
    w.message = "bye";
    w.struct_version = 2;
    o.will = &w;
    return connect_with(&o);
}
ROW(will_null_topic)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    w.message = "bye";
    o.will = &w;
    return connect_with(&o);
}
ROW(will_empty_topic)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    w.topicName = "";
    w.message = "bye";
    o.will = &w;
    return connect_with(&o);
}
ROW(will_wildcard_topic)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    w.topicName = tu_topic("will/#");
    w.message = "bye";
    o.will = &w;
    return connect_with(&o);
}
ROW(will_qos_3)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    w.topicName = tu_topic("will");
    w.message = "bye";
    w.qos = 3;
    o.will = &w;
    return connect_with(&o);
}
ROW(ssl_opts_on_tcp_uri)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
    o.ssl = &s;
    return connect_with(&o);
}
ROW(ssl_opts_bad_struct_id)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
    s.struct_id[0] = 'X';
    o.ssl = &s;
    return connect_with(&o);
}
ROW(ssl_opts_version_too_new)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
    s.struct_version = 6;
    o.ssl = &s;
    return connect_with(&o);
}
ROW(serveruris_empty) { return connect_server_uri(""); }
ROW(serveruris_unknown_scheme) { return connect_server_uri("http://127.0.0.1:1"); }
ROW(serveruris_malformed) { return connect_server_uri("tcp//127.0.0.1"); }
ROW(serveruris_ssl) { return connect_server_uri("ssl://127.0.0.1:1"); }
ROW(serveruris_port0) { return connect_server_uri("tcp://127.0.0.1:0"); }
ROW(empty_clientid_cleansession0_v311)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_create(&c, uri(), "", MQTTCLIENT_PERSISTENCE_NONE, NULL);
    o.cleansession = 0;
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return MQTTClient_connect(c, &o);
}
ROW(empty_clientid_cleansession1_v311)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_create(&c, uri(), "", MQTTCLIENT_PERSISTENCE_NONE, NULL);
    o.MQTTVersion = MQTTVERSION_3_1_1;
    return MQTTClient_connect(c, &o);
}
ROW(empty_clientid_v31)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_create(&c, uri(), "", MQTTCLIENT_PERSISTENCE_NONE, NULL);
    o.MQTTVersion = MQTTVERSION_3_1;
    return MQTTClient_connect(c, &o);
}
ROW(connect5_on_v311_client)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse r = MQTTClient_connect5(mk(MQTTVERSION_3_1_1), &o, NULL, NULL);
    return r.reasonCode;
}
ROW(connect5_v311_options)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTResponse r = MQTTClient_connect5(mk(MQTTVERSION_5), &o, NULL, NULL);
    return r.reasonCode;
}
ROW(connect_on_v5_client)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    return MQTTClient_connect(mk(MQTTVERSION_5), &o);
}
ROW(connect5_cleansession_on_v5)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse r;
    o.cleansession = 1;
    r = MQTTClient_connect5(mk(MQTTVERSION_5), &o, NULL, NULL);
    return r.reasonCode;
}
ROW(connect_cleanstart_on_v311)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    o.cleanstart = 1;
    return MQTTClient_connect(mk(MQTTVERSION_3_1_1), &o);
}
ROW(connect_twice)
{
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    return then_probe(c, MQTTClient_connect(c, &o));
}

ROW(publish_null_topic) { return publish_topic(NULL); }
ROW(publish_bad_utf8_topic) { return publish_topic(tu_topic("bad\xff\xfe")); }
ROW(publish_nul_in_utf8_topic) { return publish_topic(tu_topic("over\xc0\x80long")); }
ROW(publish_topic_65535)
{
    char *t = malloc(65536);
    memset(t, 'a', 65535);
    t[65535] = '\0';
    return publish_topic(t);
}
ROW(publish_null_payload_len0) { return publish_full(tu_topic("bad"), 0, NULL, 1); }
ROW(publish_never_connected) { return MQTTClient_publish(mk(MQTTVERSION_DEFAULT), tu_topic("bad"), 2, "hi", 1, 0, NULL); }
ROW(publish_after_disconnect)
{
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    MQTTClient_disconnect(c, 1000);
    return MQTTClient_publish(c, tu_topic("bad"), 2, "hi", 1, 0, NULL);
}
ROW(publish5_on_v311_client)
{
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    MQTTResponse r = MQTTClient_publish5(c, tu_topic("bad"), 2, "hi", 1, 0, NULL, NULL);
    return then_probe(c, r.reasonCode);
}
ROW(publish_on_v5_client) { return MQTTClient_publish(mkc(MQTTVERSION_5), tu_topic("bad"), 2, "hi", 1, 0, NULL); }
ROW(publishmessage_on_v5_client)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt;
    m.payload = "hi";
    m.payloadlen = 2;
    return MQTTClient_publishMessage(mkc(MQTTVERSION_5), tu_topic("bad"), &m, &dt);
}
ROW(publishmessage_bad_struct_id)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.struct_id[0] = 'X';
    return pubmsg(&m);
}
ROW(publishmessage_version_too_new)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.struct_version = 2;
    return pubmsg(&m);
}
ROW(publishmessage_null_token)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    m.payload = "hi";
    m.payloadlen = 2;
    m.qos = 1;
    return MQTTClient_publishMessage(mkc(MQTTVERSION_3_1_1), tu_topic("bad"), &m, NULL);
}
ROW(publishmessage5_on_v311_client)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt;
    MQTTResponse r;
    m.payload = "hi";
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    m.payloadlen = 2;
    r = MQTTClient_publishMessage5(c, tu_topic("bad"), &m, &dt);
    return then_probe(c, r.reasonCode);
}

ROW(subscribe_null_topic) { return MQTTClient_subscribe(mkc(MQTTVERSION_3_1_1), NULL, 0); }
ROW(subscribe_bad_utf8_topic) { return MQTTClient_subscribe(mkc(MQTTVERSION_3_1_1), tu_topic("bad\xff"), 0); }
ROW(subscribe_qos_minus1) { return MQTTClient_subscribe(mkc(MQTTVERSION_3_1_1), tu_topic("bad"), -1); }
ROW(subscribe_qos_3) { return MQTTClient_subscribe(mkc(MQTTVERSION_3_1_1), tu_topic("bad"), 3); }
ROW(subscribe_never_connected) { return MQTTClient_subscribe(mk(MQTTVERSION_DEFAULT), tu_topic("bad"), 0); }
ROW(subscribe5_on_v311_client)
{
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    MQTTResponse r = MQTTClient_subscribe5(c, tu_topic("bad"), 1, NULL, NULL);
    return then_probe(c, r.reasonCode);
}
ROW(subscribe_on_v5_client) { return MQTTClient_subscribe(mkc(MQTTVERSION_5), tu_topic("bad"), 1); }
ROW(subscribemany5_on_v311_client)
{
    char *t[1];
    int q[1] = { 1 };
    MQTTResponse r;
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    t[0] = (char *)tu_topic("ok");
    r = MQTTClient_subscribeMany5(c, 1, t, q, NULL, NULL);
    return then_probe(c, r.reasonCode);
}
ROW(subscribemany_on_v5_client)
{
    char *t[1];
    int q[1] = { 1 };
    t[0] = (char *)tu_topic("ok");
    return MQTTClient_subscribeMany(mkc(MQTTVERSION_5), 1, t, q);
}
ROW(subscribemany5_count0)
{
    char *t[1] = { NULL };
    int q[1] = { 0 };
    MQTTResponse r = MQTTClient_subscribeMany5(mkc(MQTTVERSION_5), 0, t, q, NULL, NULL);
    return r.reasonCode;
}
ROW(subscribemany_count_negative)
{
    char *t[1] = { NULL };
    int q[1] = { 0 };
    return MQTTClient_subscribeMany(mkc(MQTTVERSION_3_1_1), -1, t, q);
}
ROW(subscribemany_null_entry)
{
    char *t[2];
    int q[2] = { 0, 0 };
    t[0] = (char *)tu_topic("ok");
    t[1] = NULL;
    return MQTTClient_subscribeMany(mkc(MQTTVERSION_3_1_1), 2, t, q);
}
ROW(subscribemany_qos_3)
{
    char *t[2];
    int q[2] = { 0, 3 };
    t[0] = (char *)tu_topic("ok");
    t[1] = (char *)tu_topic("ok2");
    return MQTTClient_subscribeMany(mkc(MQTTVERSION_3_1_1), 2, t, q);
}

ROW(unsubscribe_null_handle) { return MQTTClient_unsubscribe(NULL, "t"); }
ROW(unsubscribe_null_topic) { return MQTTClient_unsubscribe(mkc(MQTTVERSION_3_1_1), NULL); }
ROW(unsubscribe_bad_utf8_topic) { return MQTTClient_unsubscribe(mkc(MQTTVERSION_3_1_1), tu_topic("bad\xff")); }
ROW(unsubscribe_never_connected) { return MQTTClient_unsubscribe(mk(MQTTVERSION_DEFAULT), tu_topic("bad")); }
ROW(unsubscribemany_count0) { char *t[1] = { NULL }; return MQTTClient_unsubscribeMany(mkc(MQTTVERSION_3_1_1), 0, t); }
ROW(unsubscribe5_on_v311_client)
{
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    MQTTResponse r = MQTTClient_unsubscribe5(c, tu_topic("bad"), NULL);
    return then_probe(c, r.reasonCode);
}
ROW(unsubscribe_on_v5_client) { return MQTTClient_unsubscribe(mkc(MQTTVERSION_5), tu_topic("bad")); }
ROW(unsubscribemany5_on_v311_client)
{
    char *t[1];
    MQTTResponse r;
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    t[0] = (char *)tu_topic("ok");
    r = MQTTClient_unsubscribeMany5(c, 1, t, NULL);
    return then_probe(c, r.reasonCode);
}
ROW(unsubscribemany_on_v5_client)
{
    char *t[1];
    t[0] = (char *)tu_topic("ok");
    return MQTTClient_unsubscribeMany(mkc(MQTTVERSION_5), 1, t);
}
ROW(disconnect_on_v5_client) { return MQTTClient_disconnect(mkc(MQTTVERSION_5), 1000); }

ROW(connect5_null_handle)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse r = MQTTClient_connect5(NULL, &o, NULL, NULL);
    return r.reasonCode;
}
ROW(publish5_null_handle) { MQTTResponse r = MQTTClient_publish5(NULL, "t", 2, "hi", 0, 0, NULL, NULL); return r.reasonCode; }
ROW(publishmessage_null_handle)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt;
    return MQTTClient_publishMessage(NULL, "t", &m, &dt);
}
ROW(subscribemany_null_handle) { char *t[1] = { "t" }; int q[1] = { 0 }; return MQTTClient_subscribeMany(NULL, 1, t, q); }
ROW(subscribe5_null_handle) { MQTTResponse r = MQTTClient_subscribe5(NULL, "t", 0, NULL, NULL); return r.reasonCode; }
ROW(unsubscribemany_null_handle) { char *t[1] = { "t" }; return MQTTClient_unsubscribeMany(NULL, 1, t); }
ROW(unsubscribe5_null_handle) { MQTTResponse r = MQTTClient_unsubscribe5(NULL, "t", NULL); return r.reasonCode; }
ROW(disconnect5_null_handle) { return MQTTClient_disconnect5(NULL, 0, MQTTREASONCODE_SUCCESS, NULL); }
ROW(disconnect_null_handle) { return MQTTClient_disconnect(NULL, 0); }
ROW(disconnect_never_connected) { return MQTTClient_disconnect(mk(MQTTVERSION_DEFAULT), 0); }
ROW(disconnect_twice)
{
    MQTTClient c = mkc(MQTTVERSION_3_1_1);
    MQTTClient_disconnect(c, 1000);
    return MQTTClient_disconnect(c, 1000);
}
ROW(disconnect5_on_v311_client) { return MQTTClient_disconnect5(mkc(MQTTVERSION_3_1_1), 1000, MQTTREASONCODE_SUCCESS, NULL); }
ROW(isconnected_null_handle) { return MQTTClient_isConnected(NULL); }
ROW(setcallbacks_null_handle) { return MQTTClient_setCallbacks(NULL, NULL, NULL, NULL, NULL); }
ROW(setcallbacks_null_arrived) { return MQTTClient_setCallbacks(mk(MQTTVERSION_DEFAULT), NULL, NULL, NULL, NULL); }
static int arrived(void *ctx, char *t, int l, MQTTClient_message *m)
{
    (void)ctx; (void)l;
    MQTTClient_freeMessage(&m);
    MQTTClient_free(t);
    return 1;
}
ROW(setcallbacks_while_connected) { return MQTTClient_setCallbacks(mkc(MQTTVERSION_3_1_1), NULL, NULL, arrived, NULL); }
ROW(setdisconnected_null_handle) { return MQTTClient_setDisconnected(NULL, NULL, NULL); }
ROW(setpublished_null_handle) { return MQTTClient_setPublished(NULL, NULL, NULL); }
ROW(waitforcompletion_null_handle) { return MQTTClient_waitForCompletion(NULL, 1, 100); }
ROW(waitforcompletion_unknown_token) { return MQTTClient_waitForCompletion(mkc(MQTTVERSION_3_1_1), 4242, 100); }
ROW(waitforcompletion_never_connected) { return MQTTClient_waitForCompletion(mk(MQTTVERSION_DEFAULT), 1, 100); }
ROW(pending_tokens_null_handle) { MQTTClient_deliveryToken *t; return MQTTClient_getPendingDeliveryTokens(NULL, &t); }
ROW(receive_null_handle)
{
    char *t; int l; MQTTClient_message *m;
    return MQTTClient_receive(NULL, &t, &l, &m, 100);
}
ROW(receive_never_connected)
{
    char *t; int l; MQTTClient_message *m;
    return MQTTClient_receive(mk(MQTTVERSION_DEFAULT), &t, &l, &m, 100);
}
ROW(set_command_timeout_null_handle) { return MQTTClient_setCommandTimeout(NULL, 1000); }
ROW(destroy_null_handle) { MQTTClient c = NULL; MQTTClient_destroy(&c); return 0; }
ROW(free_null) { MQTTClient_free(NULL); return 0; }
ROW(strerror_unknown)
{
    const char *s = MQTTClient_strerror(12345);
    snprintf(tu_child_note, sizeof tu_child_note, " -> %s", s ? "text" : "NULL");
    return 0;
}
ROW(response_free_empty) { MQTTResponse r = MQTTResponse_initializer; MQTTResponse_free(r); return 0; }

#define R(f) { #f, f }
static const struct row { const char *name; int (*fn)(void); } rows[] = {
    R(create_null_uri), R(create_null_clientid), R(create_empty_clientid),
    R(create_bad_utf8_clientid), R(create_empty_uri), R(create_uri_no_scheme), R(create_uri_scheme_only),
    R(create_uri_missing_slashes), R(create_uri_unknown_scheme), R(create_uri_unclosed_bracket),
    R(create_uri_ssl), R(create_uri_mqtts), R(create_uri_wss), R(create_uri_ws), R(create_uri_unix),
    R(create_uri_port0), R(create_uri_port70000), R(connect_uri_port0), R(connect_uri_empty),
    R(connect_uri_scheme_only), R(connect_uri_nonnumeric_port), R(create_persistence_bad_type),
    R(createopts_null), R(createopts_bad_struct_id), R(createopts_version_too_new), R(createopts_mqttversion_7),
    R(connect_null_handle), R(connect_null_options), R(connect_bad_struct_id), R(connect_version_too_new),
    R(connect_version_negative), R(connect_mqttversion_7), R(will_bad_struct_id), R(will_version_too_new),
    R(will_null_topic), R(will_empty_topic), R(will_wildcard_topic), R(will_qos_3), R(ssl_opts_on_tcp_uri),
    R(ssl_opts_bad_struct_id), R(ssl_opts_version_too_new), R(serveruris_empty), R(serveruris_unknown_scheme),
    R(serveruris_malformed), R(serveruris_ssl), R(serveruris_port0),
    R(empty_clientid_cleansession0_v311), R(empty_clientid_cleansession1_v311), R(empty_clientid_v31),
    R(connect5_on_v311_client), R(connect5_v311_options), R(connect_on_v5_client), R(connect5_cleansession_on_v5),
    R(connect_cleanstart_on_v311), R(connect_twice),
    R(publish_null_topic),
    R(publish_bad_utf8_topic), R(publish_nul_in_utf8_topic),
    R(publish_topic_65535), R(publish_null_payload_len0),
    R(publish_never_connected), R(publish_after_disconnect),
    R(publish5_on_v311_client), R(publish_on_v5_client), R(publishmessage_on_v5_client),
    R(publishmessage_bad_struct_id), R(publishmessage_version_too_new),
    R(publishmessage_null_token), R(publishmessage5_on_v311_client),
    R(subscribe_null_topic), R(subscribe_bad_utf8_topic),
    R(subscribe_qos_minus1), R(subscribe_qos_3), R(subscribe_never_connected),
    R(subscribe5_on_v311_client), R(subscribe_on_v5_client), R(subscribemany5_on_v311_client),
    R(subscribemany_on_v5_client), R(subscribemany5_count0),
    R(subscribemany_count_negative), R(subscribemany_null_entry), R(subscribemany_qos_3),
    R(unsubscribe_null_handle), R(unsubscribe_null_topic), R(unsubscribe_bad_utf8_topic),
    R(unsubscribe_never_connected), R(unsubscribemany_count0), R(unsubscribe5_on_v311_client),
    R(unsubscribe_on_v5_client), R(unsubscribemany5_on_v311_client), R(unsubscribemany_on_v5_client),
    R(disconnect_on_v5_client), R(connect5_null_handle), R(publish5_null_handle), R(publishmessage_null_handle),
    R(subscribemany_null_handle), R(subscribe5_null_handle), R(unsubscribemany_null_handle), R(unsubscribe5_null_handle),
    R(disconnect5_null_handle), R(disconnect_null_handle), R(disconnect_never_connected), R(disconnect_twice),
    R(disconnect5_on_v311_client), R(isconnected_null_handle), R(setcallbacks_null_handle),
    R(setcallbacks_null_arrived), R(setcallbacks_while_connected), R(setdisconnected_null_handle),
    R(setpublished_null_handle), R(waitforcompletion_null_handle), R(waitforcompletion_unknown_token),
    R(waitforcompletion_never_connected), R(pending_tokens_null_handle),
    R(receive_null_handle), R(receive_never_connected),
    R(set_command_timeout_null_handle), R(destroy_null_handle),
    R(free_null), R(strerror_unknown), R(response_free_empty),
};

static int run_row(void *arg)
{
    const struct row *r = arg;
    tu_step(r->name);
    return r->fn();
}

int main(void)
{
    size_t i;
    check_library();
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int rc = 0;
        long long t0 = tu_now_ms();
        int how = tu_in_child(run_row, (void *)&rows[i], 10, &rc);
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
