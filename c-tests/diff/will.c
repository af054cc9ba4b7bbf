/*
 * Will message (differential): a child process connects with a will (binary
 * payload with a NUL byte, QoS 1) and then _exit()s without disconnecting, so
 * the broker sees the connection drop and publishes the will; a second child
 * disconnects cleanly, so no will is sent. The subscriber prints what it got.
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
static void child_main(int go, int done, int clean)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
    char buf = 0;
    int rc;

    if (read(go, &buf, 1) != 1)
        _exit(4);
    w.topicName = tu_topic(clean ? "will/clean" : "will/abnormal");
    w.message = NULL;
    w.payload.data = "bye\0!";
    w.payload.len = 5;
    w.qos = 1;
    w.retained = 0;
    o.will = &w;
    MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id(clean ? "willc" : "willa"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    rc = MQTTClient_connect(c, &o);
    buf = (char)rc;
    if (write(done, &buf, 1) != 1)
        _exit(4);
    if (clean) {
        MQTTClient_disconnect(c, 1000);
        MQTTClient_destroy(&c);
    }
    _exit(0); /* without disconnect: the kernel closes the socket */
}

static struct child spawn(int clean)
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
        child_main(go[0], done[1], clean);
    }
    close(go[0]);
    close(done[1]);
    ch.go = go[1];
    ch.done = done[0];
    return ch;
}

static void run(const char *name, struct child ch, tu_sub *s, int wait_ms)
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
    m = tu_sub_next(s, wait_ms, &topic);
    if (!m) {
        printf("%s: no will message\n", name);
        return;
    }
    printf("%s: topic=%s payload=", name, tu_topic_suffix(topic));
    tu_print_payload(m->payload, m->payloadlen);
    printf(" qos=%d retained=%d\n", m->qos, m->retained);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
}

int main(void)
{
    struct child abnormal, clean;
    tu_sub *s;

    check_library();
    abnormal = spawn(0);
    clean = spawn(1);
    s = tu_sub_open(tu_env("MQTT_TEST_URI"), tu_topic("will/#"), 1);
    run("abnormal", abnormal, s, 5000);
    /* Nothing should come; 1 s is long enough for a will that would. */
    run("clean", clean, s, 1000);
    tu_sub_close(s);
    return 0;
}
