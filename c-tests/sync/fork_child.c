/*
 * Using the library in a fork()ed child while the parent has a connected
 * client with callbacks, i.e. library threads running and possibly holding
 * locks at fork time (ours only). The child creates its own client, connects,
 * publishes at QoS 1 and waits for completion; the parent's client keeps
 * working and receives the child's message. Forks several times during
 * traffic to make a lock held at fork time likely. A library without
 * pthread_atfork handling can deadlock in the child (watchdog, exit 3).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

#define CHILDREN 5

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    ev_add("arrived %s '%.*s'", tu_topic_suffix(topic), m->payloadlen, (char *)m->payload);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static int child(void)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;
    tu_watchdog(8);
    tu_step("child: create, connect, publish, wait");
    if (MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("forkc"), MQTTCLIENT_PERSISTENCE_NONE, NULL) != 0 ||
        MQTTClient_connect(c, &o) != 0 ||
        MQTTClient_publish(c, tu_topic("fork/in"), 5, "child", 1, 0, &dt) != 0 ||
        MQTTClient_waitForCompletion(c, dt, 5000) != 0)
        return 1;
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    return 0;
}

int main(void)
{
    MQTTClient p = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    int i, failures = 0;

    check_library();
    tu_watchdog(60);
    TU_EXPECT_RC(MQTTClient_create(&p, tu_env("MQTT_TEST_URI"), tu_client_id("forkp"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(p, NULL, NULL, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(p, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(p, tu_topic("fork/#"), 1), 0);

    for (i = 0; i < CHILDREN; i++) {
        pid_t pid;
        int status = 0;
        /* Traffic in flight in the parent while forking. */
        MQTTClient_publish(p, tu_topic("fork/noise"), 5, "noise", 1, 0, NULL);
        fflush(stdout);
        pid = fork();
        if (pid < 0)
            tu_fail("fork");
        if (pid == 0)
            _exit(child());
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            tu_log("child %d: %s %d", i, WIFEXITED(status) ? "exit" : "signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            failures++;
            break; /* one hung child says enough */
        }
    }
    if (failures)
        tu_fail("%d of %d children failed (exit 3 = hung)", failures, CHILDREN);
    if (ev_wait(2 * CHILDREN, 10000) < 2 * CHILDREN)
        tu_fail("parent got %d of %d messages", ev_count(), 2 * CHILDREN);
    TU_ASSERT(MQTTClient_isConnected(p));
    MQTTClient_disconnect(p, 1000);
    MQTTClient_destroy(&p);
    printf("PASS\n");
    return 0;
}
