/*
 * HA failover through serverURIs (differential): the first URI is a closed
 * port, the second the test broker; connect must succeed on the second and
 * report it in `returned`. Also: both bad (fails), first good (uses first),
 * and a client created with a dead URI but given a good serverURIs list (the
 * list wins) and the reverse (the create URI is not tried). MQTT 3.1.1 and 5.
 * returned.serverURI is printed as a label since ports differ between runs.
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

static char dead[64], dead2[64];

static void make_dead_uri(char *buf, size_t size)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s, (struct sockaddr *)&a, &len) != 0)
        tu_fail("dead port");
    snprintf(buf, size, "tcp://127.0.0.1:%d", ntohs(a.sin_port));
    close(s);
}

static const char *label(const char *uri)
{
    const char *good = tu_env("MQTT_TEST_URI");
    if (!uri)
        return "NULL";
    tu_log("returned.serverURI = %s", uri);
    if (strcmp(uri, good) == 0)
        return "good";
    if (strcmp(uri, good + 6) == 0)
        return "good-without-tcp://";
    if (strcmp(uri, dead) == 0 || strcmp(uri, dead + 6) == 0)
        return "dead";
    return "other";
}

static void attempt(const char *name, const char *create_uri, int version, const char *u0, const char *u1)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_connectOptions o5 = MQTTClient_connectOptions_initializer5;
    MQTTClient_connectOptions *op = version == MQTTVERSION_5 ? &o5 : &o;
    char *list[2];
    int rc;

    tu_step(name);
    list[0] = (char *)u0;
    list[1] = (char *)u1;
    co.MQTTVersion = version;
    MQTTClient_createWithOptions(&c, create_uri, tu_client_id("ha"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    op->serverURIs = list;
    op->serverURIcount = u1 ? 2 : 1;
    op->connectTimeout = 5;
    if (version == MQTTVERSION_5) {
        MQTTResponse r = MQTTClient_connect5(c, op, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
    } else {
        rc = MQTTClient_connect(c, op);
    }
    printf("%s: rc=%d", name, rc);
    if (rc == 0)
        printf(" serverURI=%s MQTTVersion=%d sessionPresent=%d", label(op->returned.serverURI),
               op->returned.MQTTVersion, op->returned.sessionPresent);
    printf(" isConnected=%d\n", MQTTClient_isConnected(c));
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
}

int main(void)
{
    const char *good = tu_env("MQTT_TEST_URI");
    check_library();
    make_dead_uri(dead, sizeof dead);
    make_dead_uri(dead2, sizeof dead2);

    attempt("v311_dead_then_good", good, MQTTVERSION_3_1_1, dead, good);
    attempt("v5_dead_then_good", good, MQTTVERSION_5, dead, good);
    attempt("default_dead_then_good", good, MQTTVERSION_DEFAULT, dead, good);
    attempt("v311_good_then_dead", good, MQTTVERSION_3_1_1, good, dead);
    attempt("v311_both_dead", good, MQTTVERSION_3_1_1, dead, dead2);
    attempt("v5_both_dead", good, MQTTVERSION_5, dead, dead2);
    attempt("v311_create_dead_list_good", dead, MQTTVERSION_3_1_1, good, NULL);
    attempt("v311_create_good_list_dead", good, MQTTVERSION_3_1_1, dead, NULL);
    attempt("v311_unresolvable_then_good", good, MQTTVERSION_3_1_1, "tcp://nonexistent.invalid:1883", good);
    return 0;
}
