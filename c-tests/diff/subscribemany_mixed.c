/*
 * subscribeMany with mixed QoS (differential): three filters at QoS 0, 1, 2
 * on MQTT 3.1.1 (return code and the qos array after the call, which Paho
 * overwrites with the granted QoS), then a QoS 2 publish to each, received at
 * the granted QoS. On MQTT 5, subscribeMany5 with per-filter options (noLocal
 * on one) gives one reason code per filter, and the noLocal filter does not
 * get the client's own message.
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

static void drain(MQTTClient c, const char *what, int expect)
{
    int got = 0;
    long long deadline = tu_now_ms() + 3000;
    while (tu_now_ms() < deadline) {
        MQTTClient_message *m = NULL;
        char *t = NULL;
        int len;
        MQTTClient_receive(c, &t, &len, &m, 200);
        if (!m) {
            if (got >= expect)
                break;
            continue;
        }
        got++;
        /* Arrival order across filters is the broker's; it sends in the
         * order received, which is publish order here. */
        printf("%s: %s qos=%d\n", what, tu_topic_suffix(t), m->qos);
        MQTTClient_freeMessage(&m);
        MQTTClient_free(t);
    }
    printf("%s: %d messages\n", what, got);
}

int main(void)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_connectOptions o5 = MQTTClient_connectOptions_initializer5;
    MQTTSubscribe_options opts[3] = { MQTTSubscribe_options_initializer, MQTTSubscribe_options_initializer,
                                      MQTTSubscribe_options_initializer };
    MQTTClient_deliveryToken dt;
    MQTTResponse r;
    char *topics[3];
    int qos[3] = { 0, 1, 2 }, i;

    check_library();
    topics[0] = (char *)tu_topic("many/q0");
    topics[1] = (char *)tu_topic("many/q1");
    topics[2] = (char *)tu_topic("many/q2");

    MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("many"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("connect %d\n", MQTTClient_connect(c, &o));
    printf("subscribeMany %d", MQTTClient_subscribeMany(c, 3, topics, qos));
    printf(" qos after: %d %d %d\n", qos[0], qos[1], qos[2]);
    for (i = 0; i < 3; i++) {
        MQTTClient_publish(c, topics[i], 1, "m", 2, 0, &dt);
        MQTTClient_waitForCompletion(c, dt, 5000);
    }
    drain(c, "v311", 3);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);

    co.MQTTVersion = MQTTVERSION_5;
    MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), tu_client_id("many5"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    r = MQTTClient_connect5(c, &o5, NULL, NULL);
    printf("connect5 %d\n", r.reasonCode);
    MQTTResponse_free(r);
    opts[1].noLocal = 1;
    qos[0] = 2;
    qos[1] = 1;
    qos[2] = 0;
    r = MQTTClient_subscribeMany5(c, 3, topics, qos, opts, NULL);
    printf("subscribeMany5 reasonCode=%d reasonCodeCount=%d codes=", r.reasonCode, r.reasonCodeCount);
    for (i = 0; i < r.reasonCodeCount && r.reasonCodes; i++)
        printf("%d ", r.reasonCodes[i]);
    printf("qos after: %d %d %d\n", qos[0], qos[1], qos[2]);
    MQTTResponse_free(r);
    for (i = 0; i < 3; i++) {
        r = MQTTClient_publish5(c, topics[i], 1, "m", 2, 0, NULL, &dt);
        MQTTResponse_free(r);
        MQTTClient_waitForCompletion(c, dt, 5000);
    }
    drain(c, "v5", 2);
    MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL);
    MQTTClient_destroy(&c);
    return 0;
}
