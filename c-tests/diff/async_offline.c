/*
 * Offline buffering: a client created with sendWhileDisconnected (and
 * allowDisconnectedSendAtAnyTime, without which Paho refuses sends before the
 * first connect) sends 5 QoS 1 messages before it ever connected.
 * Prints each send's rc and token, getPendingTokens before the connect, the
 * order the messages arrive at a subscriber after the connect, each send's
 * onSuccess, and getPendingTokens once all are done. Then the same after a
 * disconnect: QoS 0, 1 and 2 buffered, and sent on reconnect.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)topic_len;
    ta_event("%s arrived qos=%d '%.*s'", (char *)ctx, m->qos, m->payloadlen, (char *)m->payload);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void on_sent(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s onSuccess token=%d '%.*s'", (char *)ctx, r->token, r->alt.pub.message.payloadlen,
             (char *)r->alt.pub.message.payload);
}

static void on_fail(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("%s onFailure token=%d code=%d", (char *)ctx, r->token, r->code);
}

static void print_pending(MQTTAsync c, const char *when)
{
    MQTTAsync_token *tokens = NULL;
    int rc = MQTTAsync_getPendingTokens(c, &tokens), i;
    printf("getPendingTokens %s rc=%d:", when, rc);
    if (!tokens)
        printf(" NULL");
    for (i = 0; tokens && tokens[i] != -1; i++)
        printf(" %d", tokens[i]);
    printf("\n");
    MQTTAsync_free(tokens);
}

/* Sends n messages at QoS i % 3 when mixed, else QoS 1. Mixed only where the
 * order of callbacks and arrivals stays fixed: QoS 0, 1, 2 once each (a QoS 2
 * message reaches subscribers at PUBREL, so it must be the last). */
static void send_batch(MQTTAsync c, const char *topic, const char *tag, int n, int mixed)
{
    int i;
    for (i = 0; i < n; i++) {
        MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
        char payload[32];
        int qos = mixed ? i % 3 : 1, rc;
        snprintf(payload, sizeof payload, "%s%d", tag, i);
        o.context = "buf";
        o.onSuccess = on_sent;
        o.onFailure = on_fail;
        rc = MQTTAsync_send(c, topic, (int)strlen(payload), payload, qos, 0, &o);
        printf("send '%s' qos=%d rc=%d token=%d connected=%d\n", payload, qos, rc, o.token, MQTTAsync_isConnected(c));
    }
}

int main(void)
{
    const char *uri = tu_env("MQTT_TEST_URI");
    const char *topic = tu_topic("offline");
    MQTTAsync sub, c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_disconnectOptions dopt = MQTTAsync_disconnectOptions_initializer;
    ta_done d;
    int rc;

    check_library_async();
    tu_watchdog(55); /* a failing library waits out several 10 s timeouts */
    sub = ta_create(uri, "sub", MQTTVERSION_DEFAULT);
    MQTTAsync_setCallbacks(sub, "sub", NULL, arrived, NULL);
    if (ta_connect(sub, NULL, MQTTVERSION_3_1_1))
        tu_fail("subscriber connect");
    ta_subscribe(sub, topic, 2, 0);

    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1;
    co.maxBufferedMessages = 10;
    rc = MQTTAsync_createWithOptions(&c, uri, tu_client_id("buf"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    printf("create rc=%d\n", rc);
    send_batch(c, topic, "before", 5, 0);
    print_pending(c, "before connect");

    printf("connect rc=%d\n", ta_connect(c, NULL, MQTTVERSION_3_1_1));
    ta_wait_events(10, 10000);
    tu_sleep_ms(300);
    ta_print_events_grouped("  ");
    print_pending(c, "after delivery");

    /* Buffered while disconnected, sent on reconnect. */
    memset(&d, 0, sizeof d);
    dopt.context = &d;
    dopt.onSuccess = ta_on_success;
    printf("disconnect rc=%d\n", MQTTAsync_disconnect(c, &dopt));
    printf("disconnect onSuccess=%d\n", ta_wait_done(&d, 5000));
    send_batch(c, topic, "while", 3, 1);
    print_pending(c, "while disconnected");
    printf("reconnect rc=%d\n", ta_connect(c, NULL, MQTTVERSION_3_1_1));
    ta_wait_events(6, 10000);
    tu_sleep_ms(300);
    ta_print_events_grouped("  ");
    print_pending(c, "after reconnect");
    ta_close(&c);

    /* maxBufferedMessages 2: the third send is refused, or with
     * deleteOldestMessages the oldest buffered one is dropped. */
    for (rc = 0; rc <= 1; rc++) {
        MQTTAsync_createOptions co2 = MQTTAsync_createOptions_initializer;
        co2.sendWhileDisconnected = 1;
        co2.allowDisconnectedSendAtAnyTime = 1;
        co2.maxBufferedMessages = 2;
        co2.deleteOldestMessages = rc;
        printf("deleteOldestMessages=%d create rc=%d\n", rc,
               MQTTAsync_createWithOptions(&c, uri, tu_client_id("lim"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co2));
        send_batch(c, topic, rc ? "drop" : "full", 3, 0);
        print_pending(c, "before connect");
        printf("connect rc=%d\n", ta_connect(c, NULL, MQTTVERSION_3_1_1));
        ta_wait_events(4, 5000);
        tu_sleep_ms(300);
        ta_print_events_grouped("  ");
        ta_close(&c);
    }
    ta_close(&sub);
    return 0;
}
