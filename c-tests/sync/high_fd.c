/*
 * Sockets above FD_SETSIZE (ours only): with 1100 descriptors already open,
 * the client's socket number is over 1024, which select() cannot watch. The
 * client must still connect, subscribe, publish at QoS 1 and receive its own
 * message through messageArrived. Skips (exit 77) if the descriptor limit
 * cannot be raised that far.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

#define FILLER 1100

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    (void)ctx;
    (void)topicLen;
    ev_add("arrived %s", tu_topic_suffix(topic));
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

int main(void)
{
    struct rlimit rl;
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;
    int i, last = -1;

    check_library();
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        tu_fail("getrlimit");
    if (rl.rlim_cur < FILLER + 100) {
        rl.rlim_cur = rl.rlim_max < FILLER + 200 ? rl.rlim_max : FILLER + 200;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < FILLER + 100) {
        fprintf(stderr, "skip: cannot raise RLIMIT_NOFILE to %d\n", FILLER + 100);
        return 77;
    }
    for (i = 0; i < FILLER; i++)
        last = open("/dev/null", O_RDONLY);
    if (last < 1024)
        tu_fail("filler descriptors did not pass 1024 (last %d)", last);

    tu_step("client with a socket above 1024");
    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("hifd"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_setCallbacks(c, NULL, NULL, arrived, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    TU_EXPECT_RC(MQTTClient_subscribe(c, tu_topic("hifd"), 1), 0);
    TU_EXPECT_RC(MQTTClient_publish(c, tu_topic("hifd"), 1, "x", 1, 0, &dt), 0);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, 5000), 0);
    if (ev_wait(1, 5000) < 1)
        tu_fail("own message not received");
    ev_flush("");
    TU_EXPECT_RC(MQTTClient_disconnect(c, 1000), 0);
    MQTTClient_destroy(&c);
    printf("PASS\n");
    return 0;
}
