/*
 * High availability: serverURIs tried in order. The first entry is a closed
 * port, the second the test broker: onSuccess reports the broker's URI (as
 * Paho gives it), the MQTT version and sessionPresent. With only closed ports
 * (and one malformed entry) onFailure comes once, after all were tried. The
 * URI given to create is not used when serverURIs is set.
 */
// link: paho-mqtt3a
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

/* A loopback port nobody listens on (bound, then closed). */
static int closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0), port;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || getsockname(s, (struct sockaddr *)&a, &len))
        tu_fail("bind");
    port = ntohs(a.sin_port);
    close(s);
    return port;
}

static char closed1[64], closed2[64];

static const char *tag(const char *uri)
{
    const char *good = tu_env("MQTT_TEST_URI");
    if (!uri)
        return "(null)";
    if (strcmp(uri, good) == 0)
        return "URI";
    if (strcmp(uri, good + 6) == 0)
        return "URI-without-tcp://";
    if (strcmp(uri, closed1) == 0 || strcmp(uri, closed1 + 6) == 0)
        return "CLOSED1";
    if (strcmp(uri, closed2) == 0 || strcmp(uri, closed2 + 6) == 0)
        return "CLOSED2";
    return "other";
}

static void on_ok(void *ctx, MQTTAsync_successData *r)
{
    ta_event("%s onSuccess token=%d serverURI=%s MQTTVersion=%d sessionPresent=%d", (char *)ctx, r->token,
             tag(r->alt.connect.serverURI), r->alt.connect.MQTTVersion, r->alt.connect.sessionPresent);
}
static void on_ok5(void *ctx, MQTTAsync_successData5 *r)
{
    ta_event("%s onSuccess5 token=%d serverURI=%s MQTTVersion=%d sessionPresent=%d", (char *)ctx, r->token,
             tag(r->alt.connect.serverURI), r->alt.connect.MQTTVersion, r->alt.connect.sessionPresent);
}
static void on_fail(void *ctx, MQTTAsync_failureData *r)
{
    ta_event("%s onFailure token=%d code=%d", (char *)ctx, r->token, r->code);
}
static void on_fail5(void *ctx, MQTTAsync_failureData5 *r)
{
    ta_event("%s onFailure5 token=%d code=%d reasonCode=%d", (char *)ctx, r->token, r->code, r->reasonCode);
}

static void scenario(const char *name, const char *create_uri, char **uris, int n, int version)
{
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_connectOptions *p = version == MQTTVERSION_5 ? &o5 : &o;
    int rc;
    tu_step(name);
    co.MQTTVersion = version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    rc = MQTTAsync_createWithOptions(&c, create_uri, tu_client_id("ha"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (rc != MQTTASYNC_SUCCESS)
        tu_fail("create: %d", rc);
    p->serverURIs = uris;
    p->serverURIcount = n;
    p->connectTimeout = 2;
    p->MQTTVersion = version;
    p->context = (void *)name;
    if (version == MQTTVERSION_5) {
        p->onSuccess5 = on_ok5;
        p->onFailure5 = on_fail5;
    } else {
        p->onSuccess = on_ok;
        p->onFailure = on_fail;
    }
    printf("%s connect rc=%d\n", name, MQTTAsync_connect(c, p));
    ta_wait_events(1, 20000);
    tu_sleep_ms(300);
    ta_print_events("  ");
    printf("%s isConnected=%d\n", name, MQTTAsync_isConnected(c));
    ta_close(&c);
}

int main(void)
{
    char *good = (char *)tu_env("MQTT_TEST_URI");
    char *list[4];

    check_library_async();
    tu_watchdog(50);
    snprintf(closed1, sizeof closed1, "tcp://127.0.0.1:%d", closed_port());
    snprintf(closed2, sizeof closed2, "tcp://127.0.0.1:%d", closed_port());

    list[0] = closed1;
    list[1] = good;
    scenario("closed_then_good", closed2, list, 2, MQTTVERSION_DEFAULT);
    scenario("closed_then_good_v311", closed2, list, 2, MQTTVERSION_3_1_1);
    scenario("closed_then_good_v5", closed2, list, 2, MQTTVERSION_5);
    list[0] = good;
    list[1] = closed1;
    scenario("good_first", closed2, list, 2, MQTTVERSION_3_1_1);
    list[0] = closed1;
    list[1] = "tcp//malformed";
    list[2] = closed2;
    scenario("all_bad", good, list, 3, MQTTVERSION_3_1_1);
    scenario("all_bad_v5", good, list, 3, MQTTVERSION_5);
    scenario("all_bad_default", good, list, 3, MQTTVERSION_DEFAULT);
    return 0;
}
