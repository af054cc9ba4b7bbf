/*
 * IPv6 literal URI (differential): if MQTT_TEST_URI6 is set (tcp://[::1]:PORT)
 * connect to it on MQTT 3.1.1 and 5 and make a publish/receive round trip.
 * If it is not set, print one skip line (the same in both runs).
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

static void round_trip(const char *uri, int version)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_connectOptions o5 = MQTTClient_connectOptions_initializer5;
    MQTTClient_message *m = NULL;
    MQTTClient_deliveryToken dt;
    char *t = NULL;
    int len, rc;

    co.MQTTVersion = version;
    printf("v%d create %d\n", version,
           MQTTClient_createWithOptions(&c, uri, tu_client_id("ipv6"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co));
    if (version == MQTTVERSION_5) {
        MQTTResponse r = MQTTClient_connect5(c, &o5, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
        printf("v5 connect5 %d MQTTVersion=%d\n", rc, o5.returned.MQTTVersion);
        r = MQTTClient_subscribe5(c, tu_topic("ipv6"), 1, NULL, NULL);
        MQTTResponse_free(r);
        r = MQTTClient_publish5(c, tu_topic("ipv6"), 4, "six!", 1, 0, NULL, &dt);
        MQTTResponse_free(r);
    } else {
        rc = MQTTClient_connect(c, &o);
        printf("v%d connect %d MQTTVersion=%d\n", version, rc, o.returned.MQTTVersion);
        MQTTClient_subscribe(c, tu_topic("ipv6"), 1);
        MQTTClient_publish(c, tu_topic("ipv6"), 4, "six!", 1, 0, &dt);
    }
    MQTTClient_waitForCompletion(c, dt, 5000);
    {
        long long deadline = tu_now_ms() + 3000;
        while (!m && tu_now_ms() < deadline)
            MQTTClient_receive(c, &t, &len, &m, 500);
    }
    if (m) {
        printf("v%d received '%.*s'\n", version, m->payloadlen, (char *)m->payload);
        MQTTClient_freeMessage(&m);
        MQTTClient_free(t);
    } else
        printf("v%d nothing received\n", version);
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
}

int main(void)
{
    const char *uri6 = tu_env_opt("MQTT_TEST_URI6");
    check_library();
    if (!uri6) {
        printf("ipv6: skipped (MQTT_TEST_URI6 not set)\n");
        return 0;
    }
    round_trip(uri6, MQTTVERSION_3_1_1);
    round_trip(uri6, MQTTVERSION_5);
    return 0;
}
