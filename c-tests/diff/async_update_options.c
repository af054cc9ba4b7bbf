/*
 * setUpdateConnectOptions: before each automatic reconnect the callback sees
 * the username and password the client will use and may replace them
 * (storage from MQTTAsync_malloc, freed by the library). The client logs in
 * on the password listener; another client takes its session over (same
 * client id), so it reconnects automatically. First callback: replace the
 * password with a wrong one (the reconnect is refused); second: put the
 * right one back (the reconnect succeeds). Prints what each callback saw and
 * the other callbacks in order.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static int updates;
static ta_done outcome;

static char *dup_malloc(const char *s)
{
    char *p = MQTTAsync_malloc(strlen(s) + 1);
    strcpy(p, s);
    return p;
}

static const char *pw_name(const void *data, int len)
{
    const char *right = tu_env("MQTT_TEST_PASSWORD");
    if (!data)
        return "NULL";
    if (len == (int)strlen(right) && memcmp(data, right, (size_t)len) == 0)
        return "right";
    if (len == 5 && memcmp(data, "wrong", 5) == 0)
        return "wrong";
    return "other";
}

static int update(void *ctx, MQTTAsync_connectData *d)
{
    int n = ++updates;
    ta_event("%s updateConnectOptions #%d struct_id=%.4s version=%d username=%s password=%s", (char *)ctx, n,
             d->struct_id, d->struct_version,
             d->username ? (strcmp(d->username, tu_env("MQTT_TEST_USER")) == 0 ? "user" : "other") : "NULL",
             pw_name(d->binarypwd.data, d->binarypwd.len));
    if (n == 1) {
        d->binarypwd.data = dup_malloc("wrong");
        d->binarypwd.len = 5;
        return 1;
    }
    if (n == 2) {
        d->binarypwd.data = dup_malloc(tu_env("MQTT_TEST_PASSWORD"));
        d->binarypwd.len = (int)strlen(tu_env("MQTT_TEST_PASSWORD"));
        return 1;
    }
    return 0;
}

static void lost(void *ctx, char *cause) { ta_event("%s connectionLost cause=%s", (char *)ctx, cause ? cause : "NULL"); }
static void connected(void *ctx, char *cause) { ta_event("%s connected cause=%s", (char *)ctx, cause ? cause : "NULL"); }
static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    return ta_arrived_event(ctx, topic, topic_len, m);
}

int main(void)
{
    const char *uri = tu_env("MQTT_TEST_AUTH_URI");
    char id[32];
    MQTTAsync c = NULL, thief = NULL;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions t = MQTTAsync_connectOptions_initializer;

    check_library_async();
    tu_watchdog(50);
    snprintf(id, sizeof id, "%s", tu_client_id("upd"));
    TU_EXPECT_RC(MQTTAsync_create(&c, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL), MQTTASYNC_SUCCESS);
    printf("setCallbacks rc=%d\n", MQTTAsync_setCallbacks(c, "c", lost, arrived, NULL));
    printf("setConnected rc=%d\n", MQTTAsync_setConnected(c, "c", connected));
    printf("setUpdateConnectOptions rc=%d\n", MQTTAsync_setUpdateConnectOptions(c, "c", update));
    o.username = tu_env("MQTT_TEST_USER");
    o.password = tu_env("MQTT_TEST_PASSWORD");
    o.automaticReconnect = 1;
    o.minRetryInterval = 1;
    o.maxRetryInterval = 2;
    printf("connect rc=%d\n", ta_connect_static(c, &o, MQTTVERSION_3_1_1, &outcome));
    ta_wait_events(1, 5000);
    tu_sleep_ms(200);
    ta_print_events("  ");

    /* Take the session over: c is dropped and reconnects on its own. */
    TU_EXPECT_RC(MQTTAsync_create(&thief, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL), MQTTASYNC_SUCCESS);
    t.username = o.username;
    t.password = o.password;
    printf("thief connect rc=%d\n", ta_connect(thief, &t, MQTTVERSION_3_1_1));
    ta_wait_events(5, 20000); /* lost, update, update, connected (+ any onFailure) */
    tu_sleep_ms(500);
    ta_print_events("  ");
    printf("isConnected=%d updates=%d\n", MQTTAsync_isConnected(c), updates);
    MQTTAsync_destroy(&thief);
    ta_close(&c);
    return 0;
}
