/*
 * MQTTClient_receive without callbacks (differential): after subscribing and
 * publishing two messages to itself, receive returns them in order (topic,
 * topicLen, payload, qos), then with nothing left returns success with a
 * NULL message and NULL topic when the timeout expires; receive with timeout
 * 0 behaves the same; after disconnect receive reports the disconnection.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

static void receive(MQTTClient c, const char *what, unsigned long timeout)
{
    char *topic = (char *)"untouched";
    int len = -7, rc;
    MQTTClient_message *m = (MQTTClient_message *)&len; /* sentinel: must be overwritten */
    long long t0 = tu_now_ms();

    tu_step(what);
    rc = MQTTClient_receive(c, &topic, &len, &m, timeout);
    tu_log("%s: receive took %lld ms", what, tu_now_ms() - t0);
    if (m == (MQTTClient_message *)&len) {
        printf("%s: rc=%d message not written\n", what, rc);
        return;
    }
    if (!m) {
        printf("%s: rc=%d message=NULL topic=%s\n", what, rc, topic ? (topic[0] == 'u' ? "untouched" : "set") : "NULL");
        return;
    }
    /* topicLen relative to strlen, since the topic prefix differs per run */
    printf("%s: rc=%d topic=%s topicLen=%s payload=", what, rc, tu_topic_suffix(topic),
           len == 0 ? "0" : len == (int)strlen(topic) ? "strlen(topic)" : "other");
    tu_print_payload(m->payload, m->payloadlen);
    printf(" qos=%d retained=%d dup=%d\n", m->qos, m->retained, m->dup);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
}

int main(void)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;

    check_library();
    MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("recv"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("connect %d\n", MQTTClient_connect(c, &o));
    printf("subscribe %d\n", MQTTClient_subscribe(c, tu_topic("recv/#"), 2));
    printf("publish first %d\n", MQTTClient_publish(c, tu_topic("recv/a"), 5, "first", 1, 0, &dt));
    printf("publish second %d\n", MQTTClient_publish(c, tu_topic("recv/b"), 6, "second", 2, 0, &dt));
    /* Not waiting for completion: receive itself must drive the session. */
    receive(c, "first", 5000);
    receive(c, "second", 5000);
    receive(c, "empty", 300);
    receive(c, "empty_zero_timeout", 0);
    printf("disconnect %d\n", MQTTClient_disconnect(c, 1000));
    receive(c, "after_disconnect", 100);
    MQTTClient_destroy(&c);
    return 0;
}
