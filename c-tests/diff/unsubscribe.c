/*
 * Unsubscribe (differential): after subscribe a message arrives; after
 * unsubscribe it does not. Also unsubscribeMany of two filters, unsubscribe
 * of a filter never subscribed (3.1.1: success; MQTT 5: reason code 17 "no
 * subscription existed" from unsubscribe5 and, as Paho does, from plain
 * unsubscribe on an MQTT 5 client), and the MQTT 5 UNSUBACK reason codes.
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

static MQTTClient client(int version)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.MQTTVersion = version;
    MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), tu_client_id("unsub"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (version == MQTTVERSION_5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r = MQTTClient_connect5(c, &o, NULL, NULL);
        printf("connect5 %d\n", r.reasonCode);
        MQTTResponse_free(r);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        printf("connect %d\n", MQTTClient_connect(c, &o));
    }
    return c;
}

/* Publishes to topic from c itself and reports whether it came back. */
static void probe(MQTTClient c, const char *what, const char *topic, int is5)
{
    MQTTClient_message *m = NULL;
    MQTTClient_deliveryToken dt;
    char *t = NULL;
    int len;
    long long deadline;
    if (is5) {
        MQTTResponse r = MQTTClient_publish5(c, topic, 1, "p", 1, 0, NULL, &dt);
        MQTTResponse_free(r);
    } else
        MQTTClient_publish(c, topic, 1, "p", 1, 0, &dt);
    MQTTClient_waitForCompletion(c, dt, 5000);
    deadline = tu_now_ms() + 500;
    while (!m && tu_now_ms() < deadline)
        MQTTClient_receive(c, &t, &len, &m, 200);
    printf("%s: %s\n", what, m ? "received" : "nothing");
    if (m) {
        MQTTClient_freeMessage(&m);
        MQTTClient_free(t);
    }
}

int main(void)
{
    MQTTClient c;
    char *many[2];
    MQTTResponse r;

    check_library();
    c = client(MQTTVERSION_3_1_1);
    printf("subscribe %d\n", MQTTClient_subscribe(c, tu_topic("unsub/a"), 1));
    probe(c, "subscribed", tu_topic("unsub/a"), 0);
    printf("unsubscribe %d\n", MQTTClient_unsubscribe(c, tu_topic("unsub/a")));
    probe(c, "unsubscribed", tu_topic("unsub/a"), 0);
    printf("unsubscribe never subscribed %d\n", MQTTClient_unsubscribe(c, tu_topic("unsub/never")));
    many[0] = (char *)tu_topic("unsub/m1");
    many[1] = (char *)tu_topic("unsub/m2");
    printf("subscribe m1 %d m2 %d\n", MQTTClient_subscribe(c, many[0], 0), MQTTClient_subscribe(c, many[1], 0));
    printf("unsubscribeMany %d\n", MQTTClient_unsubscribeMany(c, 2, many));
    probe(c, "after unsubscribeMany", many[1], 0);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);

    c = client(MQTTVERSION_5);
    r = MQTTClient_subscribe5(c, tu_topic("unsub/a"), 1, NULL, NULL);
    printf("v5 subscribe5 reasonCode=%d\n", r.reasonCode);
    MQTTResponse_free(r);
    r = MQTTClient_unsubscribe5(c, tu_topic("unsub/a"), NULL);
    printf("v5 unsubscribe5 reasonCode=%d reasonCodeCount=%d\n", r.reasonCode, r.reasonCodeCount);
    MQTTResponse_free(r);
    probe(c, "v5 unsubscribed", tu_topic("unsub/a"), 1);
    r = MQTTClient_unsubscribe5(c, tu_topic("unsub/never"), NULL);
    printf("v5 unsubscribe5 never subscribed reasonCode=%d\n", r.reasonCode);
    MQTTResponse_free(r);
    printf("v5 plain unsubscribe never subscribed %d\n", MQTTClient_unsubscribe(c, tu_topic("unsub/never")));
    r = MQTTClient_subscribe5(c, many[0], 0, NULL, NULL);
    MQTTResponse_free(r);
    r = MQTTClient_unsubscribeMany5(c, 2, many, NULL);
    printf("v5 unsubscribeMany5 reasonCode=%d reasonCodeCount=%d codes=", r.reasonCode, r.reasonCodeCount);
    {
        int i;
        for (i = 0; i < r.reasonCodeCount && r.reasonCodes; i++)
            printf("%d ", r.reasonCodes[i]);
    }
    printf("\n");
    MQTTResponse_free(r);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    return 0;
}
