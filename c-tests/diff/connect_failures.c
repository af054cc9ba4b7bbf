/*
 * Connection failures (differential): bad password on MQTT 3.1, 3.1.1, 5 and
 * DEFAULT; no credentials on a listener that needs them; nothing listening;
 * a host name that does not resolve; a "broker" that accepts TCP but never
 * answers (connectTimeout 2). Prints the return codes (and for MQTT 5 the
 * MQTTResponse reasonCode) and whether connect gave up within its timeout;
 * the elapsed times go to stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "testutil.h"

static MQTTClient create(const char *uri, int version)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    int rc;
    co.MQTTVersion = version;
    rc = MQTTClient_createWithOptions(&c, uri, tu_client_id("fail"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("create %s: %d", uri, rc);
    return c;
}

/* Connects with the given version and credentials (NULL = none); prints the
 * outcome as "name: rc" or, for MQTT 5, "name: reasonCode". */
static void try_connect(const char *name, const char *uri, int version, const char *user, const char *pw,
                        int timeout)
{
    MQTTClient c = create(uri, version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT);
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_connectOptions o5 = MQTTClient_connectOptions_initializer5;
    long long t0 = tu_now_ms(), took;
    int rc;

    tu_step(name);
    if (version == MQTTVERSION_5) {
        MQTTResponse r;
        o5.username = user;
        o5.password = pw;
        o5.connectTimeout = timeout;
        r = MQTTClient_connect5(c, &o5, NULL, NULL);
        rc = r.reasonCode;
        printf("%s: reasonCode %d (%s) props %d\n", name, rc, rc > 0 ? MQTTReasonCode_toString(rc) : "-",
               r.properties ? r.properties->count : -1);
        MQTTResponse_free(r);
    } else {
        o.MQTTVersion = version;
        o.username = user;
        o.password = pw;
        o.connectTimeout = timeout;
        rc = MQTTClient_connect(c, &o);
        printf("%s: %d\n", name, rc);
    }
    took = tu_now_ms() - t0;
    tu_log("%s took %lld ms", name, took);
    /* Generous bound: the point is "gives up near connectTimeout", not speed. */
    printf("%s: within timeout: %s\n", name, took < (timeout + 3) * 1000LL ? "yes" : "no");
    printf("%s: connected after: %d\n", name, MQTTClient_isConnected(c));
    MQTTClient_destroy(&c);
}

/* A TCP port with nothing listening: bind, read the port, close. */
static int closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0), port;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s, (struct sockaddr *)&a, &len) != 0)
        tu_fail("closed_port");
    port = ntohs(a.sin_port);
    close(s);
    return port;
}

/* A listening socket that is never accepted from: the kernel completes the
 * TCP handshake, but no CONNACK ever comes. Returns the fd (keep it open). */
static int silent_listener(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) != 0)
        tu_fail("silent_listener");
    *port = ntohs(a.sin_port);
    return s;
}

int main(void)
{
    const char *auth = tu_env("MQTT_TEST_AUTH_URI");
    const char *user = tu_env("MQTT_TEST_USER");
    char uri[64];
    int port, silent;

    check_library();
    tu_watchdog(90);

    try_connect("bad_password_v311", auth, MQTTVERSION_3_1_1, user, "wrong", 10);
    try_connect("bad_password_v31", auth, MQTTVERSION_3_1, user, "wrong", 10);
    try_connect("bad_password_default", auth, MQTTVERSION_DEFAULT, user, "wrong", 10);
    try_connect("bad_password_v5", auth, MQTTVERSION_5, user, "wrong", 10);
    try_connect("unknown_user_v311", auth, MQTTVERSION_3_1_1, "nobody", "wrong", 10);
    try_connect("no_credentials_v311", auth, MQTTVERSION_3_1_1, NULL, NULL, 10);
    try_connect("no_credentials_v5", auth, MQTTVERSION_5, NULL, NULL, 10);

    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", closed_port());
    try_connect("nothing_listening_v311", uri, MQTTVERSION_3_1_1, NULL, NULL, 10);
    try_connect("nothing_listening_v5", uri, MQTTVERSION_5, NULL, NULL, 10);

    try_connect("unresolvable_v311", "tcp://nonexistent.invalid:1883", MQTTVERSION_3_1_1, NULL, NULL, 10);
    try_connect("unresolvable_v5", "tcp://nonexistent.invalid:1883", MQTTVERSION_5, NULL, NULL, 10);

    silent = silent_listener(&port);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", port);
    try_connect("silent_broker_v311", uri, MQTTVERSION_3_1_1, NULL, NULL, 2);
    try_connect("silent_broker_v5", uri, MQTTVERSION_5, NULL, NULL, 2);
    try_connect("silent_broker_default", uri, MQTTVERSION_DEFAULT, NULL, NULL, 2);
    close(silent);
    return 0;
}
