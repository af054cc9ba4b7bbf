/*
 * MQTTClient_setCommandTimeout (differential): Paho refuses values under
 * 5000 ms (returns MQTTCLIENT_FAILURE and keeps its default). Against a fake
 * broker that accepts the connection and then never answers (it closes after
 * 8 s), subscribe and MQTT 5 subscribe5 give up after the 5 s command
 * timeout instead of waiting for the connection to die. Prints the return
 * codes, whether they came back before the broker closed, and isConnected.
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

static void report(const char *what, int rc, fake_broker *fb, MQTTClient c, long long t0)
{
    tu_log("%s took %lld ms", what, tu_now_ms() - t0);
    printf("%s: rc=%d before broker closed=%s isConnected=%d\n", what, rc, fake_closed(fb) == 0 ? "yes" : "no",
           MQTTClient_isConnected(c));
}

static void v311(void)
{
    static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
    fake_reply rep = { .bytes = connack, .len = sizeof connack, .hold_ms = 8000 };
    fake_broker *fb = fake_start(&rep, 1);
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    char uri[64];
    long long t0;

    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    MQTTClient_create(&c, uri, tu_client_id("cmdto"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("setCommandTimeout(500) %d\n", MQTTClient_setCommandTimeout(c, 500));
    printf("setCommandTimeout(4999) %d\n", MQTTClient_setCommandTimeout(c, 4999));
    printf("setCommandTimeout(5000) %d\n", MQTTClient_setCommandTimeout(c, 5000));
    printf("connect %d\n", MQTTClient_connect(c, &o));
    tu_step("subscribe");
    t0 = tu_now_ms();
    report("subscribe", MQTTClient_subscribe(c, tu_topic("cmd"), 1), fb, c, t0);
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

static void v5(void)
{
    static const unsigned char connack[] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
    fake_reply rep = { .bytes = connack, .len = sizeof connack, .hold_ms = 8000 };
    fake_broker *fb = fake_start(&rep, 1);
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse r;
    char uri[64];
    long long t0;

    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    co.MQTTVersion = MQTTVERSION_5;
    MQTTClient_createWithOptions(&c, uri, tu_client_id("cmdto5"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    printf("v5 setCommandTimeout(5000) %d\n", MQTTClient_setCommandTimeout(c, 5000));
    r = MQTTClient_connect5(c, &o, NULL, NULL);
    printf("v5 connect5 %d\n", r.reasonCode);
    MQTTResponse_free(r);
    tu_step("subscribe5");
    t0 = tu_now_ms();
    r = MQTTClient_subscribe5(c, tu_topic("cmd"), 1, NULL, NULL);
    report("v5 subscribe5", r.reasonCode, fb, c, t0);
    MQTTResponse_free(r);
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    check_library();
    v311();
    v5();
    return 0;
}
