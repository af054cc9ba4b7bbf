/*
 * Connect and disconnect with onSuccess/onFailure for each MQTT version
 * (3.1, 3.1.1, 5 and DEFAULT), printing what successData says: the token,
 * serverURI, MQTTVersion and sessionPresent; then the same client id again
 * with a persistent session, to see sessionPresent 1; then the disconnect's
 * onSuccess and its token. Also a wrong password (onFailure code; for MQTT 5
 * the reasonCode of failureData5).
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

/* serverURI as a stable name: the ports differ per run. Paho reports the
 * URI without its "tcp://" prefix; both forms are told apart. */
static const char *uri_tag(const char *uri)
{
    static const struct { const char *env, *name; } known[] = {
        { "MQTT_TEST_URI", "URI" }, { "MQTT_TEST_AUTH_URI", "AUTH_URI" },
    };
    size_t i;
    if (!uri)
        return "(null)";
    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        const char *u = tu_env(known[i].env);
        if (strcmp(uri, u) == 0)
            return known[i].name;
        if (strncmp(u, "tcp://", 6) == 0 && strcmp(uri, u + 6) == 0)
            return known[i].env[10] == 'A' ? "AUTH_URI-without-tcp://" : "URI-without-tcp://";
    }
    return "other";
}

static void on_connect(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s connect onSuccess token=%d serverURI=%s MQTTVersion=%d sessionPresent=%d", (char *)ctx,
             r->token, uri_tag(r->alt.connect.serverURI), r->alt.connect.MQTTVersion, r->alt.connect.sessionPresent);
}
static void on_connect5(void *ctx, MQTTAsync_successData5 *r)
{
    ta_event("%s connect onSuccess5 token=%d reasonCode=%d serverURI=%s MQTTVersion=%d sessionPresent=%d",
             (char *)ctx, r->token, r->reasonCode, uri_tag(r->alt.connect.serverURI), r->alt.connect.MQTTVersion,
             r->alt.connect.sessionPresent);
}
static void on_fail(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("%s onFailure token=%d code=%d message=%s", (char *)ctx, r->token, r->code, r->message ? "set" : "NULL");
}
static void on_fail5(void *ctx, MQTTAsync_failureData5 *r)
{
    ta_event("%s onFailure5 token=%d code=%d reasonCode=%d packet_type=%d", (char *)ctx, r->token, r->code,
             r->reasonCode, r->packet_type);
}
static void on_disc(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s disconnect onSuccess token=%d", (char *)ctx, r ? r->token : -1);
}
static void on_disc5(void *ctx, MQTTAsync_successData5 *r)
{
    ta_event("%s disconnect onSuccess5 token=%d reasonCode=%d", (char *)ctx, r ? r->token : -1, r ? (int)r->reasonCode : -1);
}
static void on_connected(void *ctx, char *cause)
{
    ta_event("%s connected cause=%s", (char *)ctx, cause ? cause : "NULL");
}

/* One connect; returns 1 when it succeeded. Prints the call's rc and, once
 * the callbacks came, the events. */
static int run_connect(MQTTAsync c, const char *name, int version, int cleansession, const char *uri,
                       const char *password)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_connectOptions *p = version == MQTTVERSION_5 ? &o5 : &o;
    MQTTProperties props = MQTTProperties_initializer;
    MQTTProperty expiry;
    int rc, n;
    expiry.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
    expiry.value.integer4 = 60;
    p->MQTTVersion = version;
    p->context = (void *)name;
    if (version == MQTTVERSION_5) {
        /* Without a session expiry the broker drops a v5 session at once. */
        if (!cleansession)
            MQTTProperties_add(&props, &expiry);
        p->connectProperties = &props;
        p->cleanstart = cleansession;
        p->onSuccess5 = on_connect5;
        p->onFailure5 = on_fail5;
    } else {
        p->cleansession = cleansession;
        p->onSuccess = on_connect;
        p->onFailure = on_fail;
    }
    if (password) {
        p->username = tu_env("MQTT_TEST_USER");
        p->password = password;
    }
    (void)uri;
    n = ta_event_count();
    rc = MQTTAsync_connect(c, p);
    printf("%s connect rc=%d\n", name, rc);
    MQTTProperties_free(&props);
    if (rc != MQTTASYNC_SUCCESS)
        return 0;
    /* The connected callback (if set) and onSuccess, or onFailure. */
    ta_wait_events(n + 1, 10000);
    tu_sleep_ms(200); /* any second callback */
    ta_print_events("  ");
    return MQTTAsync_isConnected(c);
}

static void run_disconnect(MQTTAsync c, const char *name, int version)
{
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer;
    MQTTAsync_disconnectOptions o5 = MQTTAsync_disconnectOptions_initializer5;
    int rc;
    /* The MQTT 5 callbacks belong to struct_version 1 (initializer5): Paho also reads them
     * from a version 0 struct, ours reads nothing past the version given. */
    if (version == MQTTVERSION_5)
        o = o5;
    o.context = (void *)name;
    if (version == MQTTVERSION_5)
        o.onSuccess5 = on_disc5;
    else
        o.onSuccess = on_disc;
    rc = MQTTAsync_disconnect(c, &o);
    printf("%s disconnect rc=%d\n", name, rc);
    ta_wait_events(1, 5000);
    ta_print_events("  ");
    printf("%s isConnected=%d\n", name, MQTTAsync_isConnected(c));
}

static void scenario(const char *name, int version)
{
    char id[32];
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    int rc;
    const char *uri = tu_env("MQTT_TEST_URI");

    tu_step(name);
    snprintf(id, sizeof id, "%s", tu_client_id("conn"));
    co.MQTTVersion = version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    rc = MQTTAsync_createWithOptions(&c, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    printf("%s create rc=%d\n", name, rc);
    if (rc != MQTTASYNC_SUCCESS)
        return;
    /* Clean, then persistent twice (the second finds the session), then
     * clean again so no session is left behind. */
    if (run_connect(c, name, version, 1, uri, NULL))
        run_disconnect(c, name, version);
    if (run_connect(c, name, version, 0, uri, NULL))
        run_disconnect(c, name, version);
    if (run_connect(c, name, version, 0, uri, NULL))
        run_disconnect(c, name, version);
    if (run_connect(c, name, version, 1, uri, NULL))
        run_disconnect(c, name, version);
    MQTTAsync_destroy(&c);
    printf("%s destroyed handle=%s\n", name, c ? "set" : "NULL");
}

static void bad_password(const char *name, int version)
{
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    const char *uri = tu_env("MQTT_TEST_AUTH_URI");
    int rc;
    tu_step(name);
    co.MQTTVersion = version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    rc = MQTTAsync_createWithOptions(&c, uri, tu_client_id("pw"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (rc != MQTTASYNC_SUCCESS)
        tu_fail("create: %d", rc);
    run_connect(c, name, version, 1, uri, "wrong-password");
    printf("%s isConnected=%d\n", name, MQTTAsync_isConnected(c));
    if (run_connect(c, name, version, 1, uri, tu_env("MQTT_TEST_PASSWORD")))
        run_disconnect(c, name, version);
    MQTTAsync_destroy(&c);
}

/* The connected callback: set before connect, it runs along with onSuccess. */
static void with_connected_callback(void)
{
    MQTTAsync c = ta_create(tu_env("MQTT_TEST_URI"), "cb", MQTTVERSION_DEFAULT);
    tu_step("connected_callback");
    printf("setConnected rc=%d\n", MQTTAsync_setConnected(c, "cb", on_connected));
    if (run_connect(c, "cb", MQTTVERSION_3_1_1, 1, NULL, NULL))
        run_disconnect(c, "cb", MQTTVERSION_3_1_1);
    MQTTAsync_destroy(&c);
}

int main(void)
{
    check_library_async();
    tu_watchdog(50);
    scenario("v3.1", MQTTVERSION_3_1);
    scenario("v3.1.1", MQTTVERSION_3_1_1);
    scenario("v5", MQTTVERSION_5);
    scenario("default", MQTTVERSION_DEFAULT);
    bad_password("badpw_v3.1.1", MQTTVERSION_3_1_1);
    bad_password("badpw_v5", MQTTVERSION_5);
    bad_password("badpw_default", MQTTVERSION_DEFAULT);
    with_connected_callback();
    return 0;
}
