/*
 * Retained messages (differential): a retained QoS 1 publish is delivered to
 * a subscriber that arrives later with retained=1, to a live subscriber with
 * retained=0; an empty retained publish clears it, so a later subscriber gets
 * nothing. Uses MQTTClient_receive (no callbacks) on the subscribers.
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

static void expect(const char *who, tu_sub *s)
{
    char *topic;
    MQTTClient_message *m = tu_sub_next(s, 2000, &topic);
    if (!m) {
        printf("%s: no message\n", who);
        return;
    }
    printf("%s: topic=%s payload=", who, tu_topic_suffix(topic));
    tu_print_payload(m->payload, m->payloadlen);
    printf(" qos=%d retained=%d dup=%d\n", m->qos, m->retained, m->dup);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
}

static void expect_nothing(const char *who, tu_sub *s)
{
    char *topic;
    MQTTClient_message *m = tu_sub_next(s, 500, &topic);
    printf("%s: %s\n", who, m ? "unexpected message" : "no message");
    if (m) {
        MQTTClient_freeMessage(&m);
        MQTTClient_free(topic);
    }
}

int main(void)
{
    const char *uri = tu_env("MQTT_TEST_URI");
    const char *topic;
    MQTTClient pub = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;
    tu_sub *live, *late, *later;

    check_library();
    topic = tu_topic("retained/t");
    MQTTClient_create(&pub, uri, tu_client_id("pub"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("pub: connect %d\n", MQTTClient_connect(pub, &o));
    live = tu_sub_open(uri, topic, 1);

    printf("pub: publish retained %d\n", MQTTClient_publish(pub, topic, 4, "kept", 1, 1, &dt));
    printf("pub: wait %d\n", MQTTClient_waitForCompletion(pub, dt, 5000));
    expect("live", live);

    late = tu_sub_open(uri, topic, 1);
    expect("late", late);

    printf("pub: publish not retained %d\n", MQTTClient_publish(pub, topic, 3, "new", 1, 0, &dt));
    printf("pub: wait %d\n", MQTTClient_waitForCompletion(pub, dt, 5000));
    expect("live", live);
    expect("late", late);

    printf("pub: clear retained %d\n", MQTTClient_publish(pub, topic, 0, "", 1, 1, &dt));
    printf("pub: wait %d\n", MQTTClient_waitForCompletion(pub, dt, 5000));
    expect("live", live);

    later = tu_sub_open(uri, topic, 1);
    expect_nothing("later", later);

    tu_sub_close(live);
    tu_sub_close(late);
    tu_sub_close(later);
    printf("pub: disconnect %d\n", MQTTClient_disconnect(pub, 1000));
    MQTTClient_destroy(&pub);
    return 0;
}
