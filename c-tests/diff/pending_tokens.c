/*
 * getPendingDeliveryTokens (differential). Against a fake broker that accepts
 * the connection and then ignores everything, QoS 1 and 2 publishes stay in
 * flight: the token list holds them in order, terminated by -1 (QoS 0 has no
 * token), and waitForCompletion on one of them times out. Against the real
 * broker, once everything completed the list is NULL.
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

static void print_pending(const char *what, MQTTClient c)
{
    MQTTClient_deliveryToken *tokens = (MQTTClient_deliveryToken *)&tokens; /* sentinel */
    int rc = MQTTClient_getPendingDeliveryTokens(c, &tokens), i;
    printf("%s: rc=%d tokens=", what, rc);
    if (tokens == (MQTTClient_deliveryToken *)&tokens)
        printf("not written");
    else if (!tokens)
        printf("NULL");
    else {
        for (i = 0; tokens[i] != -1 && i < 100; i++)
            printf("%d ", tokens[i]);
        printf("-1");
        MQTTClient_free(tokens);
    }
    printf("\n");
}

static void publish(MQTTClient c, const char *name, int qos)
{
    MQTTClient_deliveryToken dt = -5;
    int rc = MQTTClient_publish(c, tu_topic(name), 1, "x", qos, 0, &dt);
    printf("publish %s qos%d: rc=%d token=%d\n", name, qos, rc, dt);
}

int main(void)
{
    static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
    fake_reply r = { .bytes = connack, .len = 4, .hold_ms = 10000 };
    fake_broker *fb;
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;
    char uri[64];

    check_library();
    fb = fake_start(&r, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    MQTTClient_create(&c, uri, tu_client_id("pend"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    print_pending("before connect", c);
    o.reliable = 0; /* reliable=1 (the default) allows one message in flight */
    printf("connect (silent broker) %d\n", MQTTClient_connect(c, &o));
    print_pending("connected, nothing sent", c);
    publish(c, "a", 1);
    publish(c, "b", 0);
    publish(c, "c", 2);
    publish(c, "d", 1);
    print_pending("in flight", c);
    printf("waitForCompletion(1, 300) %d\n", MQTTClient_waitForCompletion(c, 1, 300));
    print_pending("still in flight", c);
    printf("disconnect %d\n", MQTTClient_disconnect(c, 0));
    print_pending("after disconnect", c);
    MQTTClient_destroy(&c);
    fake_stop(fb);

    MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("pend2"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("connect (real broker) %d\n", MQTTClient_connect(c, &o));
    MQTTClient_publish(c, tu_topic("e"), 1, "x", 1, 0, &dt);
    printf("waitForCompletion %d\n", MQTTClient_waitForCompletion(c, dt, 5000));
    print_pending("all completed", c);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    return 0;
}
