/*
 * Will message (differential): a child process connects with a will (binary
 * payload with a NUL byte, QoS 1) and then _exit()s without disconnecting, so
 * the broker sees the connection drop and publishes the will; a second child
 * disconnects cleanly, so no will is sent; a third connects with MQTT 5 and
 * will properties (content type, user property) and drops the connection. An
 * MQTT 5 subscriber prints what it got, properties included.
 *
 * The children are forked before this process makes any client, so neither
 * library has threads or sockets at fork time.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "testutil.h"

struct child { pid_t pid; int go; int done; };

/* In the child: wait for the parent's go, connect with a will, tell the
 * parent, then drop the connection abruptly or disconnect cleanly. */
enum { ABNORMAL, CLEAN, ABNORMAL_V5 };

static void child_main(int go, int done, int mode)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    char buf = 0;
    int rc;

    if (read(go, &buf, 1) != 1)
        _exit(4);
    w.topicName = tu_topic(mode == CLEAN ? "will/clean" : mode == ABNORMAL ? "will/abnormal" : "will/abnormal5");
    w.message = NULL;
    w.payload.data = "bye\0!";
    w.payload.len = 5;
    w.qos = 1;
    w.retained = 0;
    if (mode == ABNORMAL_V5) {
        MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
        MQTTClient_connectOptions o5 = MQTTClient_connectOptions_initializer5;
        MQTTProperties props = MQTTProperties_initializer;
        MQTTProperty p;
        MQTTResponse r;
        memset(&p, 0, sizeof p);
        p.identifier = MQTTPROPERTY_CODE_CONTENT_TYPE;
        p.value.data.data = "text/x-will";
        p.value.data.len = 11;
        MQTTProperties_add(&props, &p);
        p.identifier = MQTTPROPERTY_CODE_USER_PROPERTY;
        p.value.data.data = "k";
        p.value.data.len = 1;
        p.value.value.data = "v";
        p.value.value.len = 1;
        MQTTProperties_add(&props, &p);
        co.MQTTVersion = MQTTVERSION_5;
        MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), tu_client_id("will5"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
        o5.will = &w;
        r = MQTTClient_connect5(c, &o5, NULL, &props);
        rc = r.reasonCode;
    } else {
        o.will = &w;
        MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id(mode == CLEAN ? "willc" : "willa"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
        rc = MQTTClient_connect(c, &o);
    }
    buf = (char)rc;
    if (write(done, &buf, 1) != 1)
        _exit(4);
    if (mode == CLEAN) {
        MQTTClient_disconnect(c, 1000);
        MQTTClient_destroy(&c);
    }
    _exit(0); /* without disconnect: the kernel closes the socket */
}

static struct child spawn(int mode)
{
    int go[2], done[2];
    struct child ch;
    if (pipe(go) != 0 || pipe(done) != 0)
        tu_fail("pipe");
    fflush(stdout);
    ch.pid = fork();
    if (ch.pid < 0)
        tu_fail("fork");
    if (ch.pid == 0) {
        close(go[1]);
        close(done[0]);
        child_main(go[0], done[1], mode);
    }
    close(go[0]);
    close(done[1]);
    ch.go = go[1];
    ch.done = done[0];
    return ch;
}

static void run(const char *name, struct child ch, MQTTClient s, int wait_ms)
{
    char rc = 0, *topic;
    int status = 0;
    MQTTClient_message *m;

    tu_step(name);
    if (write(ch.go, "g", 1) != 1 || read(ch.done, &rc, 1) != 1)
        tu_fail("child %s did not report", name);
    printf("%s: child connect %d\n", name, rc);
    waitpid(ch.pid, &status, 0);
    printf("%s: child exit %d\n", name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    {
        long long deadline = tu_now_ms() + wait_ms;
        int len;
        m = NULL;
        while (!m && tu_now_ms() < deadline)
            MQTTClient_receive(s, &topic, &len, &m, 200);
    }
    if (!m) {
        printf("%s: no will message\n", name);
        return;
    }
    printf("%s: topic=%s payload=", name, tu_topic_suffix(topic));
    tu_print_payload(m->payload, m->payloadlen);
    printf(" qos=%d retained=%d\n", m->qos, m->retained);
    tu_print_props("  ", &m->properties);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
}

int main(void)
{
    struct child abnormal, clean, abnormal5;
    MQTTClient s = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse r;

    check_library();
    abnormal = spawn(ABNORMAL);
    clean = spawn(CLEAN);
    abnormal5 = spawn(ABNORMAL_V5);
    co.MQTTVersion = MQTTVERSION_5;
    MQTTClient_createWithOptions(&s, tu_env("MQTT_TEST_URI"), tu_client_id("wsub"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    r = MQTTClient_connect5(s, &o, NULL, NULL);
    MQTTResponse_free(r);
    r = MQTTClient_subscribe5(s, tu_topic("will/#"), 1, NULL, NULL);
    printf("subscriber: subscribe5 %d\n", r.reasonCode);
    MQTTResponse_free(r);
    run("abnormal", abnormal, s, 5000);
    /* Nothing should come; 1 s is long enough for a will that would. */
    run("clean", clean, s, 1000);
    run("abnormal_v5", abnormal5, s, 5000);
    MQTTClient_disconnect5(s, 1000, MQTTREASONCODE_SUCCESS, NULL);
    MQTTClient_destroy(&s);
    return 0;
}
