/*
 * Publish/subscribe at QoS 0, 1 and 2 with callbacks (differential). One
 * client publishes, another subscribed at QoS 2 receives. Prints what publish
 * returns (rc and token), waitForCompletion's result, every deliveryComplete
 * token on the publisher and every messageArrived on the subscriber (topic,
 * topicLen, payload, qos, retained, dup, msgid). Also a binary payload with a
 * NUL byte, an empty payload, and QoS downgrade on a QoS 1 subscription.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    char payload[300];
    int n = m->payloadlen < 100 ? m->payloadlen : 100, i, k = 0;
    for (i = 0; i < n; i++)
        k += snprintf(payload + k, sizeof payload - (size_t)k, "%02x", ((unsigned char *)m->payload)[i]);
    payload[k] = '\0';
    ev_add("%s arrived topic=%s topicLen=%d payload=hex:%s len=%d qos=%d retained=%d dup=%d msgid=%d",
           (const char *)ctx, tu_topic_suffix(topic), topicLen, payload, m->payloadlen, m->qos, m->retained, m->dup,
           m->msgid);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void delivered(void *ctx, MQTTClient_deliveryToken dt)
{
    ev_add("%s deliveryComplete token=%d", (const char *)ctx, dt);
}

static void lost(void *ctx, char *cause)
{
    ev_add("%s connectionLost cause=%s", (const char *)ctx, cause ? cause : "NULL");
}

static MQTTClient client(const char *name)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    int rc = MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id(name), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    if (rc == 0)
        rc = MQTTClient_setCallbacks(c, (void *)name, lost, arrived, delivered);
    printf("%s: setCallbacks %d\n", name, rc);
    rc = MQTTClient_connect(c, &o);
    printf("%s: connect %d\n", name, rc);
    if (rc != 0)
        tu_fail("connect %s", name);
    return c;
}

/* Publishes one message and waits for the expected callbacks. */
static void publish(MQTTClient pub, const char *suffix, const void *payload, int len, int qos, int expect_events)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt = -1;
    int rc;
    m.payload = (void *)payload;
    m.payloadlen = len;
    m.qos = qos;
    tu_step(suffix);
    rc = MQTTClient_publishMessage(pub, tu_topic(suffix), &m, &dt);
    printf("publish %s qos=%d: rc=%d token=%d\n", suffix, qos, rc, dt);
    rc = MQTTClient_waitForCompletion(pub, dt, 5000);
    printf("publish %s: waitForCompletion %d\n", suffix, rc);
    if (ev_wait(expect_events, 5000) < expect_events)
        printf("publish %s: missing events (%d of %d)\n", suffix, ev_count(), expect_events);
    ev_flush_grouped("  ");
}

int main(void)
{
    MQTTClient pub, sub;
    check_library();

    sub = client("sub");
    pub = client("pub");
    printf("sub: subscribe qos2 %d\n", MQTTClient_subscribe(sub, tu_topic("pubsub/#"), 2));
    printf("sub: subscribe qos1 %d\n", MQTTClient_subscribe(sub, tu_topic("lowq/#"), 1));

    publish(pub, "pubsub/q0", "zero", 4, 0, 1);
    publish(pub, "pubsub/q1", "one", 3, 1, 2);
    publish(pub, "pubsub/q2", "two", 3, 2, 2);
    publish(pub, "pubsub/binary", "a\0b\xff", 4, 1, 2);
    publish(pub, "pubsub/empty", "", 0, 1, 2);
    publish(pub, "lowq/q2", "down", 4, 2, 2);
    publish(pub, "pubsub/q1again", "again", 5, 1, 2);

    printf("pub: disconnect %d\n", MQTTClient_disconnect(pub, 1000));
    printf("sub: disconnect %d\n", MQTTClient_disconnect(sub, 1000));
    ev_wait(1, 200); /* a stray callback after disconnect would show here */
    ev_flush_grouped("  ");
    MQTTClient_destroy(&pub);
    MQTTClient_destroy(&sub);
    return 0;
}
