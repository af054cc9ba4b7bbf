/*
 * The connection drops while a SUBSCRIBE awaits its SUBACK, on a session that
 * outlives the connection (ours only; async API, MQTT 3.1.1 cleansession 0 and
 * MQTT 5 cleanstart 0 with a session expiry of 3600 s, with and without
 * automaticReconnect).
 *
 * Debian's Paho never calls the subscribe's onSuccess or onFailure here, not
 * after the reconnect (session present), not after disconnect, and never
 * resends the SUBSCRIBE: the token stays pending for ever (seen with this
 * script: "nothing calls 0" at every point). Ours fails it when the connection
 * is lost, as Paho does for a session that ends with the connection
 * (faults/diff_async_subscribe_drop): onFailure code -11
 * (MQTTASYNC_OPERATION_INCOMPLETE), once, before connectionLost; and it does
 * not resend it either (the broker hears nothing for 500 ms after the CONNACK
 * with session present). A deliberate deviation (c-tests/diff/README.md).
 */
// link: paho-mqtt3a
// timeout: 90
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "fakebroker.h"
#include "testutil_async.h"

static const unsigned char connect_v311[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x00 };
static const unsigned char connect_v5[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x00 };
static const unsigned char connect_mask[] = { 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_sp_v311[] = { 0x20, 0x02, 0x01, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
static const unsigned char connack_sp_v5[] = { 0x20, 0x03, 0x01, 0x00, 0x00 };
static const unsigned char subscribe_v311[] = { 0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 's', 0x01 };
static const unsigned char subscribe_mask_v311[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff };
static const unsigned char subscribe_v5[] = { 0x82, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 's', 0x01 };
static const unsigned char subscribe_mask_v5[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff };
static const unsigned char granted_v311[] = { 0x01 };
static const unsigned char granted_v5[] = { 0x00, 0x01 };

#define SCRIPTS(V)                                                                                         \
    static const fake_step V##_0[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask), FS_SEND(connack_##V), \
                                       FS_EXPECT_MASKED(subscribe_##V, subscribe_mask_##V), FS_CLOSE };    \
    static const fake_step V##_1[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask),                        \
                                       FS_SEND(connack_sp_##V),                                            \
                                       FS_EXPECT_QUIET(500),                                               \
                                       FS_EXPECT_MASKED(subscribe_##V, subscribe_mask_##V),                \
                                       FS_ACK_WITH(0x90, granted_##V),                                     \
                                       FS_EXPECT_DISCONNECT(0),                                            \
                                       FS_EXPECT_CLOSED(5000),                                             \
                                       FS_END };                                                           \
    static const fake_step *const V##_scripts[] = { V##_0, V##_1 };

SCRIPTS(v311)
SCRIPTS(v5)

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_event("connectionLost");
}

static void connected(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_event("connected");
}

static int arrived(void *ctx, char *topic, int len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)len;
    ta_event("messageArrived (unexpected)");
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void first_success(void *ctx, MQTTAsync_successData *r)
{
    ta_event("subscribe onSuccess");
    ta_on_success(ctx, r);
}

static void first_failure(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("subscribe onFailure %d", r ? r->code : -9999);
    ta_on_failure(ctx, r);
}

static void first_success5(void *ctx, MQTTAsync_successData5 *r)
{
    ta_event("subscribe onSuccess");
    ta_on_success5(ctx, r);
}

static void first_failure5(void *ctx, MQTTAsync_failureData5 *r)
{
    ta_event("subscribe onFailure %d", r ? r->code : -9999);
    ta_on_failure5(ctx, r);
}

static void run(const char *name, int v5, int autoreconnect, const fake_step *const *scripts)
{
    static ta_done first, conn_done;
    MQTTAsync_connectOptions o3 = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_connectOptions *o = v5 ? &o5 : &o3;
    MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
    MQTTAsync_disconnectOptions dopt = MQTTAsync_disconnectOptions_initializer;
    MQTTProperties props = MQTTProperties_initializer;
    MQTTProperty expiry;
    fake_broker *fb = fake_start_script(scripts, 2);
    int version = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    MQTTAsync c;
    ta_done sub, dd;
    char uri[64];
    long long t0;

    tu_step(name);
    tu_log("== %s", name);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    c = ta_create(uri, "subsess", version);
    TU_EXPECT_RC(MQTTAsync_setCallbacks(c, NULL, lost, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTAsync_setConnected(c, NULL, connected), 0);
    memset(&expiry, 0, sizeof expiry);
    expiry.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
    expiry.value.integer4 = 3600;
    MQTTProperties_add(&props, &expiry);
    if (v5) {
        o->cleanstart = 0;
        o->connectProperties = &props;
    } else {
        o->cleansession = 0;
    }
    o->automaticReconnect = autoreconnect;
    o->minRetryInterval = 1;
    o->maxRetryInterval = 1;
    TU_EXPECT_RC(ta_connect_static(c, o, version, &conn_done), 0);
    TU_ASSERT(ta_wait_events(1, 2000) == 1);

    memset(&first, 0, sizeof first);
    ro.context = &first;
    if (v5) {
        ro.onSuccess5 = first_success5;
        ro.onFailure5 = first_failure5;
    } else {
        ro.onSuccess = first_success;
        ro.onFailure = first_failure;
    }
    TU_EXPECT_RC(MQTTAsync_subscribe(c, "s", 1, &ro), 0);
    TU_ASSERT(ta_wait_done(&first, 5000) == -1);
    TU_ASSERT(first.code == MQTTASYNC_OPERATION_INCOMPLETE);
    /* The waiter of the failed token is not kept waiting. */
    t0 = tu_now_ms();
    MQTTAsync_waitForCompletion(c, ro.token, 3000);
    TU_ASSERT(tu_now_ms() - t0 < 1000);

    if (autoreconnect) {
        TU_ASSERT(ta_wait_events(4, 10000) == 4); /* connected again */
    } else {
        TU_ASSERT(ta_wait_events(3, 5000) == 3);
        TU_EXPECT_RC(ta_connect_static(c, o, version, &conn_done), 0);
        TU_ASSERT(ta_wait_events(4, 2000) == 4);
    }
    tu_sleep_ms(700); /* the broker's quiet time: no SUBSCRIBE resent */
    ta_response(&ro, &sub, v5);
    TU_EXPECT_RC(MQTTAsync_subscribe(c, "s", 1, &ro), 0);
    TU_ASSERT(ta_wait_done(&sub, 5000) == 1);

    memset(&dd, 0, sizeof dd);
    dopt.context = &dd;
    dopt.onSuccess = ta_on_success;
    dopt.onFailure = ta_on_failure;
    TU_EXPECT_RC(MQTTAsync_disconnect(c, &dopt), 0);
    TU_ASSERT(ta_wait_done(&dd, 5000) == 1);
    tu_sleep_ms(200); /* a late second outcome of the first subscribe would show */
    TU_ASSERT(first.calls == 1);
    MQTTAsync_destroy(&c);
    TU_ASSERT(fake_wait_script(fb, 1, 5000) == 1);
    fake_check(fb);
    TU_ASSERT(fake_connections(fb) == 2);
    /* The order: connected, the subscribe's onFailure, connectionLost, connected. */
    ta_print_events("  ");
    printf("%s: ok\n", name);
    MQTTProperties_free(&props);
    fake_stop(fb);
}

int main(void)
{
    check_library_async();
    tu_watchdog(80);
    run("v311", 0, 0, v311_scripts);
    run("v311 automaticReconnect", 0, 1, v311_scripts);
    run("v5", 1, 0, v5_scripts);
    run("v5 automaticReconnect", 1, 1, v5_scripts);
    return 0;
}
