/*
 * Publish/subscribe at QoS 0, 1 and 2 with callbacks, MQTT 3.1.1: a subscriber
 * client and a publisher client. Prints the token each call hands back
 * (responseOptions.token), each onSuccess with its token, deliveryComplete,
 * and the fields messageArrived sees (topic, topicLen, qos, retained, dup,
 * msgid, payload). Also waitForCompletion and isComplete on send tokens.
 *
 * One message at a time, so the callbacks of one client come in a fixed
 * order; the two clients' events are printed grouped per client.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static const char *suffix(const char *topic)
{
    const char *p = tu_env("MQTT_TEST_TOPIC_PREFIX");
    size_t n = strlen(p);
    return strncmp(topic, p, n) == 0 && topic[n] == '/' ? topic + n + 1 : topic;
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    char payload[64];
    int i, n = 0;
    char len[16];
    for (i = 0; i < m->payloadlen && n < (int)sizeof payload - 3; i++)
        n += snprintf(payload + n, sizeof payload - n, "%02x", ((unsigned char *)m->payload)[i]);
    payload[n] = '\0';
    /* The full topic's length differs per run: print it relative to strlen. */
    if (topic_len == (int)strlen(topic))
        snprintf(len, sizeof len, "strlen");
    else
        snprintf(len, sizeof len, "%d", topic_len);
    ta_event("%s arrived topic=%s topicLen=%s qos=%d retained=%d dup=%d msgid=%d payloadlen=%d hex=%s",
             (char *)ctx, suffix(topic), len, m->qos, m->retained, m->dup, m->qos ? m->msgid : 0,
             m->payloadlen, payload);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void delivered(void *ctx, MQTTAsync_token token)
{
    ta_event("%s deliveryComplete token=%d", (char *)ctx, token);
}

static void on_success(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s onSuccess token=%d", (char *)ctx, r->token);
}
static void on_sub_success(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s subscribe onSuccess token=%d qos=%d", (char *)ctx, r->token, r->alt.qos);
}
static void on_pub_success(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s send onSuccess token=%d destination=%s qos=%d payloadlen=%d", (char *)ctx, r->token,
             suffix(r->alt.pub.destinationName), r->alt.pub.message.qos, r->alt.pub.message.payloadlen);
}
static void on_failure(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("%s onFailure token=%d code=%d", (char *)ctx, r->token, r->code);
}

/* Waits for n events, then a little longer for any that should not come. */
static void settle(int n)
{
    if (ta_wait_events(n, 10000) < n)
        tu_log("only %d of %d events", ta_event_count(), n);
    tu_sleep_ms(200);
    ta_print_events_grouped("  ");
}

int main(void)
{
    const char *uri = tu_env("MQTT_TEST_URI");
    const char *topic = tu_topic("pubsub");
    MQTTAsync sub = ta_create(uri, "sub", MQTTVERSION_DEFAULT);
    MQTTAsync pub = ta_create(uri, "pub", MQTTVERSION_DEFAULT);
    MQTTAsync_responseOptions so = MQTTAsync_responseOptions_initializer;
    static const unsigned char binary[] = { 0, 1, 0xfe, 0xff };
    int qos, rc;

    check_library_async();
    printf("sub setCallbacks rc=%d\n", MQTTAsync_setCallbacks(sub, "sub", NULL, arrived, NULL));
    printf("pub setCallbacks rc=%d\n", MQTTAsync_setCallbacks(pub, "pub", NULL, arrived, delivered));
    if (ta_connect(sub, NULL, MQTTVERSION_3_1_1) || ta_connect(pub, NULL, MQTTVERSION_3_1_1))
        tu_fail("connect failed");

    so.context = "sub";
    so.onSuccess = on_sub_success;
    so.onFailure = on_failure;
    rc = MQTTAsync_subscribe(sub, topic, 2, &so);
    printf("subscribe rc=%d token=%d\n", rc, so.token);
    settle(1);

    for (qos = 0; qos <= 2; qos++) {
        int i;
        for (i = 0; i < 2; i++) {
            MQTTAsync_responseOptions po = MQTTAsync_responseOptions_initializer;
            char payload[32];
            snprintf(payload, sizeof payload, "qos%d-%d", qos, i);
            po.context = "pub";
            po.onSuccess = on_pub_success;
            po.onFailure = on_failure;
            rc = MQTTAsync_send(pub, topic, (int)strlen(payload), payload, qos, 0, &po);
            printf("send qos=%d rc=%d token=%d\n", qos, rc, po.token);
            /* onSuccess + arrived, + deliveryComplete when qos > 0 */
            settle(qos ? 3 : 2);
            printf("isComplete(%d)=%d\n", po.token, MQTTAsync_isComplete(pub, po.token));
        }
    }

    {   /* sendMessage: binary and empty payloads, then waitForCompletion. */
        MQTTAsync_message m = MQTTAsync_message_initializer;
        MQTTAsync_responseOptions po = MQTTAsync_responseOptions_initializer;
        po.context = "pub";
        po.onSuccess = on_pub_success;
        m.payload = (void *)binary;
        m.payloadlen = sizeof binary;
        m.qos = 1;
        rc = MQTTAsync_sendMessage(pub, topic, &m, &po);
        printf("sendMessage binary rc=%d token=%d\n", rc, po.token);
        printf("waitForCompletion rc=%d\n", MQTTAsync_waitForCompletion(pub, po.token, 5000));
        printf("isComplete=%d\n", MQTTAsync_isComplete(pub, po.token));
        settle(3);
        m.payload = NULL;
        m.payloadlen = 0;
        m.qos = 2;
        rc = MQTTAsync_sendMessage(pub, topic, &m, &po);
        printf("sendMessage empty rc=%d token=%d\n", rc, po.token);
        printf("waitForCompletion rc=%d\n", MQTTAsync_waitForCompletion(pub, po.token, 5000));
        settle(3);
    }

    {   /* A send with no response options still gets a token. */
        MQTTAsync_responseOptions po = MQTTAsync_responseOptions_initializer;
        rc = MQTTAsync_send(pub, topic, 4, "null", 1, 0, NULL);
        printf("send without options rc=%d\n", rc);
        settle(2);
        po.context = "sub";
        po.onSuccess = on_success;
        rc = MQTTAsync_unsubscribe(sub, topic, &po);
        printf("unsubscribe rc=%d token=%d\n", rc, po.token);
        settle(1);
        rc = MQTTAsync_send(pub, topic, 5, "after", 1, 0, NULL);
        printf("send after unsubscribe rc=%d\n", rc);
        settle(1);
    }
    ta_close(&pub);
    ta_close(&sub);
    return 0;
}
