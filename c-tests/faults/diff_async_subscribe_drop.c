/*
 * The connection drops while a SUBSCRIBE awaits its SUBACK (differential,
 * async API, MQTT 3.1.1 with cleansession 1 and MQTT 5 with cleanstart 1 and
 * no session expiry, with and without automaticReconnect). The scripted
 * fake broker reads the SUBSCRIBE and closes the connection; on the next
 * connection it checks that nothing comes for 500 ms (the SUBSCRIBE is not
 * resent), then a new subscribe gets its SUBACK and the client disconnects.
 *
 * What Debian's Paho does, and so ours: the subscribe's onFailure (onFailure5)
 * is called once, when the connection is lost, with code -11
 * (MQTTASYNC_OPERATION_INCOMPLETE), before connectionLost.
 *
 * When the session outlives the connection (cleansession 0, or MQTT 5 with a
 * session expiry), Paho never calls the subscribe's onSuccess or onFailure and
 * never resends it: the token stays pending for ever. Ours fails it the same
 * way as here instead; faults/subscribe_drop_session asserts that (a
 * deliberate deviation, c-tests/diff/README.md).
 */
// link: paho-mqtt3a
// timeout: 90
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "fakebroker.h"
#include "testutil_async.h"

static const unsigned char connect_mask[] = { 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
static const unsigned char connack_v311[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char connack_v5[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
static const unsigned char subscribe_v311[] = { 0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 's', 0x01 };
static const unsigned char subscribe_mask_v311[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff };
static const unsigned char subscribe_v5[] = { 0x82, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 's', 0x01 };
static const unsigned char subscribe_mask_v5[] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff };
static const unsigned char granted_v311[] = { 0x01 };
static const unsigned char granted_v5[] = { 0x00, 0x01 };

/* CONNECT with the clean session bit 1. */
static const unsigned char connect_v311[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02 };
static const unsigned char connect_v5[] = { 0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x02 };

#define SCRIPTS(V)                                                                                         \
    static const fake_step V##_0[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask), FS_SEND(connack_##V), \
                                       FS_EXPECT_MASKED(subscribe_##V, subscribe_mask_##V), FS_CLOSE };    \
    static const fake_step V##_1[] = { FS_EXPECT_PREFIX(connect_##V, connect_mask),                        \
                                       FS_SEND(connack_##V),                                               \
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

/* The first subscribe's outcome also goes into the event log, to show its
 * order against connectionLost. */
static void first_success(void *ctx, MQTTAsync_successData *r)
{
    ta_event("subscribe onSuccess");
    ta_on_success(ctx, r);
}

static void first_failure(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("subscribe onFailure code %d", r ? r->code : -9999);
    ta_on_failure(ctx, r);
}

static void first_success5(void *ctx, MQTTAsync_successData5 *r)
{
    ta_event("subscribe onSuccess5");
    ta_on_success5(ctx, r);
}

static void first_failure5(void *ctx, MQTTAsync_failureData5 *r)
{
    ta_event("subscribe onFailure5 code %d", r ? r->code : -9999);
    ta_on_failure5(ctx, r);
}

static void print_done(const char *name, const char *what, ta_done *d)
{
    printf("%s: %s: %s", name, what, d->state == 1 ? "onSuccess" : d->state == -1 ? "onFailure" : "nothing");
    if (d->state == -1)
        printf(" code %d", d->code);
    if (d->state == 1 && d->reason >= 0)
        printf(" reasonCode %d", d->reason);
    printf(" calls %d\n", d->calls);
}

static void run(const char *name, int v5, int autoreconnect, const fake_step *const *scripts)
{
    static ta_done first; /* the subscribe during the drop, checked again at the end */
    static ta_done conn_done; /* outlives connects (automaticReconnect calls onSuccess again) */
    MQTTAsync_connectOptions o3 = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_connectOptions *o = v5 ? &o5 : &o3;
    MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
    fake_broker *fb = fake_start_script(scripts, 2);
    MQTTAsync c;
    ta_done sub;
    char uri[64];
    int rc;

    tu_step(name);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    c = ta_create(uri, "asubdrop", v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    TU_EXPECT_RC(MQTTAsync_setCallbacks(c, NULL, lost, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTAsync_setConnected(c, NULL, connected), 0);
    if (v5)
        o->cleanstart = 1;
    else
        o->cleansession = 1;
    o->automaticReconnect = autoreconnect;
    o->minRetryInterval = 1;
    o->maxRetryInterval = 1;
    printf("%s: connect %d\n", name, ta_connect_static(c, o, v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1, &conn_done));
    ta_wait_events(1, 2000); /* connected */

    memset(&first, 0, sizeof first);
    ro.context = &first;
    if (v5) {
        ro.onSuccess5 = first_success5;
        ro.onFailure5 = first_failure5;
    } else {
        ro.onSuccess = first_success;
        ro.onFailure = first_failure;
    }
    rc = MQTTAsync_subscribe(c, "s", 1, &ro);
    printf("%s: subscribe %d\n", name, rc);
    ta_wait_events(3, 5000); /* onFailure, connectionLost */
    ta_wait_done(&first, 1000);
    tu_sleep_ms(300); /* a second outcome would show */
    print_done(name, "subscribe during the drop", &first);

    if (autoreconnect) {
        ta_wait_events(4, 10000); /* connected again */
    } else {
        printf("%s: isConnected %d\n", name, MQTTAsync_isConnected(c));
        printf("%s: reconnect %d\n", name,
               ta_connect_static(c, o, v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1, &conn_done));
        ta_wait_events(4, 2000);
    }
    tu_sleep_ms(700); /* the broker's quiet time: no SUBSCRIBE resent */
    ta_response(&ro, &sub, v5);
    rc = MQTTAsync_subscribe(c, "s", 1, &ro);
    ta_wait_done(&sub, 5000);
    print_done(name, "subscribe again", &sub);
    ta_print_events("  ");
    {
        MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
        ta_done dd;
        memset(&dd, 0, sizeof dd);
        d.context = &dd;
        d.onSuccess = ta_on_success;
        d.onFailure = ta_on_failure;
        printf("%s: disconnect %d\n", name, MQTTAsync_disconnect(c, &d));
        ta_wait_done(&dd, 5000);
        print_done(name, "disconnect", &dd);
    }
    tu_sleep_ms(300);
    print_done(name, "subscribe during the drop, after disconnect", &first);
    MQTTAsync_destroy(&c);
    rc = fake_wait_script(fb, 1, 5000);
    fake_check(fb);
    printf("%s: script done %d, connections %d\n", name, rc, fake_connections(fb));
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
