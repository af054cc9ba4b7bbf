/*
 * messageArrived returning 0 (differential): Paho then calls messageArrived
 * again with the same message later. Each message here is refused twice and
 * accepted the third time; messages at QoS 0, 1 and 2 are queued behind each
 * other, so the output also shows that a refused message holds back the ones
 * after it (order of calls, payload and qos of each call).
 *
 * Paho 1.3 retries a refused message only when its receive loop wakes for a
 * packet: with nothing else arriving it never calls again (observed: no retry
 * in 25 s). So the main thread makes traffic (subscribe round trips to an
 * unused topic) until all nine calls are seen; a library that retries on its
 * own gives the same sequence.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static int refusals[16];

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    int i = m->payloadlen > 0 ? ((char *)m->payload)[0] - '0' : 0;
    (void)ctx;
    (void)topicLen;
    if (i < 0 || i > 15)
        i = 15;
    if (refusals[i] < 2) {
        refusals[i]++;
        ev_add("arrived %s payload='%.*s' qos=%d -> return 0 (refusal %d)", tu_topic_suffix(topic), m->payloadlen,
               (char *)m->payload, m->qos, refusals[i]);
        return 0; /* the library keeps ownership; we must not free */
    }
    ev_add("arrived %s payload='%.*s' qos=%d -> return 1", tu_topic_suffix(topic), m->payloadlen, (char *)m->payload,
           m->qos);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

int main(void)
{
    MQTTClient c = NULL, pub = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;

    check_library();
    MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("redeliv"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    MQTTClient_create(&pub, tu_env("MQTT_TEST_URI"), tu_client_id("redpub"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("setCallbacks %d\n", MQTTClient_setCallbacks(c, NULL, NULL, arrived, NULL));
    printf("connect %d\n", MQTTClient_connect(c, &o));
    printf("subscribe %d\n", MQTTClient_subscribe(c, tu_topic("redeliver/#"), 2));
    printf("pub connect %d\n", MQTTClient_connect(pub, &o));
    /* Publish all three before the first is delivered (publisher waits). */
    MQTTClient_publish(pub, tu_topic("redeliver/q1"), 6, "1-qos1", 1, 0, &dt);
    MQTTClient_publish(pub, tu_topic("redeliver/q0"), 6, "2-qos0", 0, 0, &dt);
    MQTTClient_publish(pub, tu_topic("redeliver/q2"), 6, "3-qos2", 2, 0, &dt);
    printf("pub wait %d\n", MQTTClient_waitForCompletion(pub, dt, 5000));
    {
        int i;
        for (i = 0; i < 200 && ev_count() < 9; i++) {
            MQTTClient_subscribe(c, tu_topic("tick"), 0);
            ev_wait(9, 20);
        }
    }
    if (ev_count() < 9)
        printf("only %d calls\n", ev_count());
    ev_wait(10, 300); /* a tenth call would be wrong */
    ev_flush("");
    printf("disconnect %d\n", MQTTClient_disconnect(c, 1000));
    MQTTClient_disconnect(pub, 1000);
    MQTTClient_destroy(&c);
    MQTTClient_destroy(&pub);
    return 0;
}
