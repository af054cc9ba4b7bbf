/*
 * Will messages on the async API: a child process connects with a will and
 * dies with _exit() (no DISCONNECT), and a subscriber in the parent prints
 * what arrives: text will at QoS 1, binary will (payload.len/data) at QoS 2
 * with the retained flag (a later subscriber gets it as retained), an MQTT 5
 * will with will properties, and no will after a clean disconnect.
 *
 * The children are forked before the parent creates any client, so no library
 * thread exists at fork time.
 */
// link: paho-mqtt3a
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

enum { TEXT, BINARY_RETAINED, V5_PROPS, CLEAN_DISCONNECT, KINDS };

struct child { pid_t pid; int go; };

/* In the child: connect with the will of `kind`, report, wait for go, die. */
static void child_main(int kind, int ready_fd, int go_fd)
{
    static const unsigned char bin[] = { 0xde, 0xad, 0x00, 0xbe, 0xef };
    int v5 = kind == V5_PROPS;
    MQTTAsync c = ta_create(tu_env("MQTT_TEST_URI"), "will", v5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT);
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
    MQTTProperties wp = MQTTProperties_initializer;
    MQTTProperty p;
    char byte = 0;
    int rc;

    tu_watchdog(20);
    w.topicName = tu_topic(kind == BINARY_RETAINED ? "will/retained" : "will");
    w.qos = 1;
    switch (kind) {
    case BINARY_RETAINED:
        w.qos = 2;
        w.retained = 1;
        w.payload.data = bin;
        w.payload.len = sizeof bin;
        break;
    case V5_PROPS:
        w.message = "v5 will";
        p.identifier = MQTTPROPERTY_CODE_CONTENT_TYPE;
        p.value.data.data = "text/plain";
        p.value.data.len = 10;
        MQTTProperties_add(&wp, &p);
        p.identifier = MQTTPROPERTY_CODE_USER_PROPERTY;
        p.value.data.data = "k";
        p.value.data.len = 1;
        p.value.value.data = "v";
        p.value.value.len = 1;
        MQTTProperties_add(&wp, &p);
        o5.willProperties = &wp;
        break;
    default:
        w.message = kind == TEXT ? "gone" : "must not arrive";
    }
    (v5 ? &o5 : &o)->will = &w;
    rc = ta_connect(c, v5 ? &o5 : &o, v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
    if (rc != 0)
        tu_fail("child connect: %d", rc);
    if (kind == CLEAN_DISCONNECT)
        ta_close(&c);
    if (write(ready_fd, "r", 1) != 1 || read(go_fd, &byte, 1) < 0)
        _exit(1);
    _exit(0); /* no DISCONNECT: the broker publishes the will */
}

static struct child spawn(int kind)
{
    int ready[2], go[2];
    struct child ch;
    char byte;
    if (pipe(ready) || pipe(go))
        tu_fail("pipe");
    fflush(stdout);
    ch.pid = fork();
    if (ch.pid == 0) {
        close(ready[0]);
        close(go[1]);
        child_main(kind, ready[1], go[0]);
    }
    close(ready[1]);
    close(go[0]);
    if (read(ready[0], &byte, 1) != 1)
        tu_fail("will child %d did not connect", kind);
    close(ready[0]);
    ch.go = go[1];
    return ch;
}

static void kill_child(struct child *ch)
{
    int status;
    if (write(ch->go, "g", 1) != 1)
        tu_fail("write");
    close(ch->go);
    waitpid(ch->pid, &status, 0);
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    char props[256] = "";
    int i, n = 0;
    for (i = 0; i < m->properties.count; i++) {
        MQTTProperty *p = &m->properties.array[i];
        if (p->identifier == MQTTPROPERTY_CODE_CONTENT_TYPE)
            n += snprintf(props + n, sizeof props - n, " content_type=%.*s", p->value.data.len, p->value.data.data);
        else if (p->identifier == MQTTPROPERTY_CODE_USER_PROPERTY)
            n += snprintf(props + n, sizeof props - n, " user=%.*s:%.*s", p->value.data.len, p->value.data.data,
                          p->value.value.len, p->value.value.data);
        else
            n += snprintf(props + n, sizeof props - n, " property%d", p->identifier);
    }
    (void)topic_len;
    {
        char hex[64];
        int k = 0;
        for (i = 0; i < m->payloadlen && k < 60; i++)
            k += snprintf(hex + k, sizeof hex - k, "%02x", ((unsigned char *)m->payload)[i]);
        hex[k] = '\0';
        ta_event("%s arrived %s qos=%d retained=%d hex=%s%s", (char *)ctx,
                 strstr(topic, "/will/retained") ? "will/retained" : "will", m->qos, m->retained, hex, props);
    }
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void expect_events(const char *what, int n, int quiet_ms)
{
    int got = ta_wait_events(n, 10000);
    tu_sleep_ms(quiet_ms);
    printf("%s: %d event(s)\n", what, got < n ? got : ta_event_count());
    ta_print_events_grouped("  ");
}

int main(void)
{
    struct child ch[KINDS];
    MQTTAsync sub, late;
    const char *uri;
    int k;

    check_library_async();
    uri = tu_env("MQTT_TEST_URI");
    for (k = 0; k < KINDS; k++)
        ch[k] = spawn(k);

    sub = ta_create(uri, "wsub", MQTTVERSION_5);
    MQTTAsync_setCallbacks(sub, "sub", NULL, arrived, NULL);
    if (ta_connect(sub, NULL, MQTTVERSION_5))
        tu_fail("subscriber connect");
    ta_subscribe(sub, tu_topic("will/#"), 2, 1);

    kill_child(&ch[CLEAN_DISCONNECT]);
    expect_events("clean disconnect", 1, 500);
    kill_child(&ch[TEXT]);
    expect_events("text will", 1, 200);
    kill_child(&ch[BINARY_RETAINED]);
    expect_events("binary retained will", 1, 200);
    kill_child(&ch[V5_PROPS]);
    expect_events("v5 will with properties", 1, 200);

    /* A later subscriber gets the retained will, flagged retained. */
    late = ta_create(uri, "late", MQTTVERSION_DEFAULT);
    MQTTAsync_setCallbacks(late, "late", NULL, arrived, NULL);
    if (ta_connect(late, NULL, MQTTVERSION_3_1_1))
        tu_fail("late connect");
    ta_subscribe(late, tu_topic("will/#"), 2, 0);
    expect_events("late subscriber", 1, 200);

    /* Clear the retained will. */
    if (MQTTAsync_send(late, tu_topic("will/retained"), 0, "", 1, 1, NULL) != MQTTASYNC_SUCCESS)
        tu_fail("clear retained");
    expect_events("after clearing", 2, 300);
    ta_close(&late);
    ta_close(&sub);
    return 0;
}
