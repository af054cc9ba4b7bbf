/*
 * Connect and disconnect per MQTT version (differential): 3.1, 3.1.1, 5 and
 * DEFAULT. Prints connect's return code, what `returned` holds (serverURI is
 * printed as the env variable it came from, MQTTVersion, sessionPresent),
 * the MQTT 5 CONNACK properties, isConnected before and after disconnect;
 * then sessionPresent across a reconnect with cleansession 0 / cleanstart 0.
 * Observed in Paho 1.3.11: returned.sessionPresent stays 0 on MQTT 5 even
 * when the broker's CONNACK says the session is present (mosquitto log).
 * Ours reports the broker's flag, a deliberate deviation (see
 * c-tests/diff/README.md), so sessionPresent is printed for MQTT 3 only;
 * c-tests/sync/v5_session_present.c asserts ours' MQTT 5 values.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

/* returned.serverURI as a label, since the port differs between runs. Paho
 * hands back the URI without its "tcp://" prefix. */
static const char *uri_label(const char *uri)
{
    const char *env = tu_env("MQTT_TEST_URI");
    if (!uri)
        return "NULL";
    tu_log("returned.serverURI = %s", uri);
    if (strcmp(uri, env) == 0)
        return "$MQTT_TEST_URI";
    if (strncmp(env, "tcp://", 6) == 0 && strcmp(uri, env + 6) == 0)
        return "$MQTT_TEST_URI-without-tcp://";
    return "other";
}

static MQTTClient make(const char *id, int version)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.MQTTVersion = version;
    if (MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co) != 0)
        tu_fail("create");
    return c;
}

/* Connects at `version` with the given clean flag; prints the outcome. */
static void connect_once(const char *name, MQTTClient c, int version, int clean)
{
    int rc;
    if (version == MQTTVERSION_5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r;
        MQTTProperties props = MQTTProperties_initializer;
        MQTTProperty p;
        o.cleanstart = clean;
        /* Session expiry so that a session survives the disconnect. */
        p.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
        p.value.integer4 = clean ? 0 : 60;
        MQTTProperties_add(&props, &p);
        r = MQTTClient_connect5(c, &o, &props, NULL);
        rc = r.reasonCode;
        printf("%s: connect5 reasonCode %d\n", name, rc);
        tu_print_props("  ", r.properties);
        MQTTResponse_free(r);
        MQTTProperties_free(&props);
        /* No sessionPresent: Paho's is always 0 here (see above). */
        printf("%s: returned serverURI=%s MQTTVersion=%d\n", name, uri_label(o.returned.serverURI),
               o.returned.MQTTVersion);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = version;
        o.cleansession = clean;
        rc = MQTTClient_connect(c, &o);
        printf("%s: connect %d\n", name, rc);
        printf("%s: returned serverURI=%s MQTTVersion=%d sessionPresent=%d\n", name,
               uri_label(o.returned.serverURI), o.returned.MQTTVersion, o.returned.sessionPresent);
    }
    printf("%s: isConnected %d\n", name, MQTTClient_isConnected(c));
}

static void disconnect(const char *name, MQTTClient c, int version)
{
    int rc = version == MQTTVERSION_5 ? MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL)
                                      : MQTTClient_disconnect(c, 1000);
    printf("%s: disconnect %d isConnected %d\n", name, rc, MQTTClient_isConnected(c));
}

static void cycle(const char *name, int version)
{
    MQTTClient c = make(tu_client_id(name), version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT);
    tu_step(name);
    connect_once(name, c, version, 1);
    disconnect(name, c, version);
    MQTTClient_destroy(&c);
}

/* Connect with a persistent session twice: the second CONNACK says the
 * session is present. Then clear it with a clean connect. */
static void session(const char *name, int version)
{
    char id[32];
    MQTTClient c;
    snprintf(id, sizeof id, "%s", tu_client_id("sess"));
    c = make(id, version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT);
    tu_step(name);
    connect_once(name, c, version, 0);
    disconnect(name, c, version);
    connect_once(name, c, version, 0);
    disconnect(name, c, version);
    connect_once(name, c, version, 1);
    disconnect(name, c, version);
    MQTTClient_destroy(&c);
}

int main(void)
{
    check_library();
    cycle("v31", MQTTVERSION_3_1);
    cycle("v311", MQTTVERSION_3_1_1);
    cycle("v5", MQTTVERSION_5);
    cycle("default", MQTTVERSION_DEFAULT);
    session("session_v311", MQTTVERSION_3_1_1);
    session("session_v5", MQTTVERSION_5);
    return 0;
}
