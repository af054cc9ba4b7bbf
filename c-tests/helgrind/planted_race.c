/*
 * A planted data race, to show that the helgrind run can still see one across our
 * library's threads (run.py runs c-tests/helgrind/ only with --valgrind helgrind, and
 * passes it only if helgrind reports this race and nothing else).
 *
 * The main thread publishes a message to itself and then writes `unguarded`, making no
 * further library call that could order the write; messageArrived, on the library's
 * callback thread, writes it as well before it tells main through a pthread condition.
 * Nothing orders the two writes, whichever comes first. A suppression or an annotation
 * that hid everything behind our library's frames would hide this race too.
 */
#include <pthread.h>
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

static int unguarded;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int arrived_done;

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    unguarded = 2; /* the race */
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    pthread_mutex_lock(&lock);
    arrived_done = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return 1;
}

int main(void)
{
    MQTTClient client;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;

    check_library();
    tu_watchdog(20);
    TU_EXPECT_RC(MQTTClient_create(&client, tu_env("MQTT_TEST_URI"), tu_client_id("race"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(client, NULL, NULL, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(client, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(client, tu_topic("race"), 0), 0);
    TU_EXPECT_RC(MQTTClient_publish(client, tu_topic("race"), 4, "race", 0, 0, NULL), 0);
    unguarded = 1; /* the race */
    pthread_mutex_lock(&lock);
    while (!arrived_done)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    MQTTClient_disconnect(client, 1000);
    MQTTClient_destroy(&client);
    printf("planted race done\n");
    return 0;
}
