/*
 * Every failure leaves a trace line (ours only): with a trace callback at
 * level MQTTCLIENT_TRACE_PROTOCOL (protocol, error, severe and fatal
 * messages; below that Paho traces every function entry), each failing call
 * below must produce at least one trace message while it runs: bad
 * password, nothing listening, a name that does not resolve, a silent broker
 * (connectTimeout 1), a wrong struct_id, QoS 3, an invalid UTF-8 topic. The
 * lines go to stderr, so a person can judge whether they say what was wrong.
 * Paho traces nothing at this level for four of them.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "testutil.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int lines;

static void on_trace(enum MQTTCLIENT_TRACE_LEVELS level, char *message)
{
    pthread_mutex_lock(&lock);
    lines++;
    pthread_mutex_unlock(&lock);
    fprintf(stderr, "  trace[%d] %s\n", (int)level, message ? message : "(null)");
}

static int take_lines(void)
{
    int n;
    pthread_mutex_lock(&lock);
    n = lines;
    lines = 0;
    pthread_mutex_unlock(&lock);
    return n;
}

static int failures;

static void expect_traced(const char *what, int rc)
{
    int n = take_lines();
    tu_log("%s: rc=%d, %d trace lines", what, rc, n);
    if (rc == MQTTCLIENT_SUCCESS) {
        tu_log("  %s unexpectedly succeeded", what);
        failures++;
    } else if (n == 0) {
        tu_log("  %s failed without a trace line", what);
        failures++;
    }
}

static int try_connect(const char *uri, const char *user, const char *pw, int timeout)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    int rc = MQTTClient_create(&c, uri, tu_client_id("trace"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    take_lines(); /* lines from create do not count for connect */
    if (rc != MQTTCLIENT_SUCCESS)
        return rc;
    o.username = user;
    o.password = pw;
    o.connectTimeout = timeout;
    rc = MQTTClient_connect(c, &o);
    MQTTClient_destroy(&c);
    return rc;
}

int main(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int silent, closed_port;
    char uri[64];
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt;

    check_library();
    MQTTClient_setTraceCallback(on_trace);
    MQTTClient_setTraceLevel(MQTTCLIENT_TRACE_PROTOCOL);

    expect_traced("bad password", try_connect(tu_env("MQTT_TEST_AUTH_URI"), tu_env("MQTT_TEST_USER"), "wrong", 10));

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    silent = socket(AF_INET, SOCK_STREAM, 0);
    if (silent < 0 || bind(silent, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(silent, (struct sockaddr *)&a, &len) != 0)
        tu_fail("socket");
    closed_port = ntohs(a.sin_port);
    close(silent);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", closed_port);
    expect_traced("nothing listening", try_connect(uri, NULL, NULL, 10));
    expect_traced("unresolvable", try_connect("tcp://nonexistent.invalid:1883", NULL, NULL, 10));

    silent = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = 0;
    len = sizeof a;
    if (silent < 0 || bind(silent, (struct sockaddr *)&a, sizeof a) != 0 || listen(silent, 4) != 0 ||
        getsockname(silent, (struct sockaddr *)&a, &len) != 0)
        tu_fail("listen");
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", ntohs(a.sin_port));
    expect_traced("silent broker", try_connect(uri, NULL, NULL, 1));
    close(silent);

    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("trace"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    take_lines();
    m.struct_id[0] = 'X';
    expect_traced("wrong struct_id", MQTTClient_publishMessage(c, tu_topic("t"), &m, &dt));
    expect_traced("subscribe QoS 3", MQTTClient_subscribe(c, tu_topic("t"), 3));
    expect_traced("invalid UTF-8 topic", MQTTClient_publish(c, "bad\xff", 1, "x", 0, 0, NULL));
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);

    MQTTClient_setTraceCallback(NULL);
    if (failures)
        tu_fail("%d failures without a trace line", failures);
    printf("PASS\n");
    return 0;
}
