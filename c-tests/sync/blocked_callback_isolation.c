/*
 * A callback that blocks stalls only its own client (ours only). Client A's
 * messageArrived blocks until the main thread releases it; meanwhile client
 * B, in the same process, must still publish and receive through its own
 * callbacks. A design with one dispatcher thread for all clients (Paho has
 * one receive thread for every MQTTClient) never delivers B's message while
 * A is blocked, and the test fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int released;

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    const char *who = ctx;
    (void)topicLen;
    ev_add("%s arrived %s", who, tu_topic_suffix(topic));
    if (strcmp(who, "a") == 0) {
        pthread_mutex_lock(&lock);
        while (!released)
            pthread_cond_wait(&cond, &lock);
        pthread_mutex_unlock(&lock);
    }
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static MQTTClient make(const char *who, const char *topic)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id(who), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(c, (void *)who, NULL, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(c, topic, 1), 0);
    return c;
}

int main(void)
{
    MQTTClient a, b;
    MQTTClient_deliveryToken dt;
    int ok;

    check_library();
    tu_watchdog(30);
    a = make("a", tu_topic("iso/a"));
    b = make("b", tu_topic("iso/b"));

    tu_step("block a's callback");
    TU_EXPECT_RC(MQTTClient_publish(a, tu_topic("iso/a"), 1, "x", 1, 0, NULL), 0);
    if (ev_wait(1, 10000) < 1)
        tu_fail("a's message never arrived");

    tu_step("b works while a's callback is blocked");
    TU_EXPECT_RC(MQTTClient_publish(b, tu_topic("iso/b"), 1, "y", 1, 0, &dt), 0);
    ok = ev_wait(2, 10000) >= 2;

    pthread_mutex_lock(&lock);
    released = 1;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    if (!ok)
        tu_fail("b's message was not delivered while a's callback was blocked");
    TU_EXPECT_RC(MQTTClient_waitForCompletion(b, dt, 5000), 0);
    ev_flush("");

    MQTTClient_disconnect(a, 1000);
    MQTTClient_disconnect(b, 1000);
    MQTTClient_destroy(&a);
    MQTTClient_destroy(&b);
    printf("PASS\n");
    return 0;
}
