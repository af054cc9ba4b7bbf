/*
 * CONNACK refusal codes from a scripted fake broker (differential): for MQTT
 * 3.1.1 codes 1..5 and MQTT 5 reason codes 0x80, 0x84, 0x86, 0x87, 0x8C,
 * prints what connect/connect5 returns and which protocol levels the client
 * tried, in order. With MQTTVERSION_DEFAULT Paho retries at 3.1 after a
 * 3.1.1 refusal; the levels line shows when it does, and a broker that only
 * accepts 3.1 gets a DEFAULT client connected at 3.1.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

static void print_levels(const char *name, fake_broker *fb)
{
    int levels[8], n, i;
    n = fake_levels(fb, levels, 8);
    printf("%s: levels", name);
    for (i = 0; i < n && i < 8; i++)
        printf(" %d", levels[i]);
    printf("\n");
}

static void v3(const char *name, int version, unsigned char code)
{
    unsigned char connack[4] = { 0x20, 0x02, 0x00, 0x00 };
    fake_reply r = { .bytes = connack, .len = 4 };
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    char uri[64];
    fake_broker *fb;

    connack[3] = code;
    fb = fake_start(&r, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    tu_step(name);
    MQTTClient_create(&c, uri, tu_client_id("connack"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    o.MQTTVersion = version;
    o.connectTimeout = 5;
    printf("%s: %d\n", name, MQTTClient_connect(c, &o));
    MQTTClient_destroy(&c);
    print_levels(name, fb);
    fake_stop(fb);
}

/* A broker that refuses 3.1.1 (CONNACK 1) and accepts 3.1: DEFAULT ends up
 * connected at 3.1 and says so in `returned`. */
static void default_fallback_success(void)
{
    static const unsigned char refuse[] = { 0x20, 0x02, 0x00, 0x01 };
    static const unsigned char accept[] = { 0x20, 0x02, 0x00, 0x00 };
    fake_reply r[2];
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    char uri[64];
    fake_broker *fb;

    memset(r, 0, sizeof r);
    r[0].bytes = refuse;
    r[0].len = 4;
    r[1].bytes = accept;
    r[1].len = 4;
    fb = fake_start(r, 2);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    tu_step("default_fallback_success");
    MQTTClient_create(&c, uri, tu_client_id("connack"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    o.connectTimeout = 5;
    printf("default_fallback_success: %d", MQTTClient_connect(c, &o));
    printf(" returned.MQTTVersion=%d\n", o.returned.MQTTVersion);
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    print_levels("default_fallback_success", fb);
    fake_stop(fb);
}

static void v5(const char *name, unsigned char code)
{
    unsigned char connack[5] = { 0x20, 0x03, 0x00, 0x00, 0x00 };
    fake_reply r = { .bytes = connack, .len = 5 };
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse resp;
    char uri[64];
    fake_broker *fb;

    connack[3] = code;
    fb = fake_start(&r, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    tu_step(name);
    co.MQTTVersion = MQTTVERSION_5;
    MQTTClient_createWithOptions(&c, uri, tu_client_id("connack"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    o.connectTimeout = 5;
    resp = MQTTClient_connect5(c, &o, NULL, NULL);
    printf("%s: reasonCode %d connected %d\n", name, resp.reasonCode, MQTTClient_isConnected(c));
    MQTTResponse_free(resp);
    MQTTClient_destroy(&c);
    print_levels(name, fb);
    fake_stop(fb);
}

int main(void)
{
    static const char *names311[] = { "", "v311_connack_1", "v311_connack_2", "v311_connack_3", "v311_connack_4", "v311_connack_5" };
    static const char *names_def[] = { "", "default_connack_1", "default_connack_2", "default_connack_3", "default_connack_4", "default_connack_5" };
    unsigned char code;

    check_library();
    tu_watchdog(120);
    for (code = 1; code <= 5; code++)
        v3(names311[code], MQTTVERSION_3_1_1, code);
    for (code = 1; code <= 5; code++)
        v3(names_def[code], MQTTVERSION_DEFAULT, code);
    v3("v31_connack_4", MQTTVERSION_3_1, 4);
    default_fallback_success();
    v5("v5_reason_0x80", 0x80);
    v5("v5_reason_0x84", 0x84);
    v5("v5_reason_0x86", 0x86);
    v5("v5_reason_0x87", 0x87);
    v5("v5_reason_0x8C", 0x8C);
    return 0;
}
