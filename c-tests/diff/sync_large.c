/*
 * Large messages through the synchronous API at QoS 0, 1 and 2, in an order
 * where each buffer our library keeps for reuse (the copy of a payload being
 * sent, a received payload given back by MQTTClient_freeMessage: 128 KiB and
 * more) comes back for a message of another size: 1 MiB, then 600 KiB in the
 * 1 MiB buffer, then 3 MiB, 256 KiB, 128 KiB, ... The subscriber (its own
 * client, MQTTClient_receive) checks every byte of every message.
 *
 * Two received payloads are kept by the application instead: one taken out of
 * its message before MQTTClient_freeMessage (payload set to NULL), one left in
 * it while only the topic is freed. Both must still hold their bytes after
 * every later message has arrived (no buffer the application still owns may be
 * handed out again), and are then freed with MQTTClient_free (Paho's payloads
 * come from its own heap: free() aborts there) and MQTTClient_freeMessage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

static void publish(MQTTClient pub, const char *topic, long size, int qos)
{
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt = 0;
    unsigned char *payload = tu_pattern_payload(size, qos);
    int rc;

    m.payload = payload;
    m.payloadlen = (int)size;
    m.qos = qos;
    rc = MQTTClient_publishMessage(pub, topic, &m, &dt);
    /* The library has its own copy once the call returns. */
    memset(payload, 0, (size_t)size);
    free(payload);
    if (rc == MQTTCLIENT_SUCCESS && qos > 0)
        rc = MQTTClient_waitForCompletion(pub, dt, 20000);
    printf("publish size=%ld qos=%d rc=%d\n", size, qos, rc);
}

/* What the application does with a received message. */
enum keep { FREE_ALL, KEEP_PAYLOAD, KEEP_MESSAGE };

static MQTTClient_message *receive(tu_sub *sub, int qos, enum keep keep, void **payload)
{
    char *topic = NULL;
    MQTTClient_message *m = tu_sub_next(sub, 20000, &topic);

    if (!m) {
        printf("receive: nothing\n");
        return NULL;
    }
    printf("receive len=%d qos=%d intact=%d\n", m->payloadlen, m->qos,
           tu_pattern_intact(m->payload, m->payloadlen, qos));
    MQTTClient_free(topic);
    if (keep == KEEP_PAYLOAD) {
        *payload = m->payload;
        m->payload = NULL;
        MQTTClient_freeMessage(&m);
        return NULL;
    }
    if (keep == KEEP_MESSAGE)
        return m;
    MQTTClient_freeMessage(&m);
    return NULL;
}

int main(void)
{
    static const long sizes[] = {
        1048576, 600 * 1024 + 1, 3 * 1048576 + 7, 262144, 131072, 131071, 2 * 1048576, 1048576 + 13,
    };
    const char *uri = tu_env("MQTT_TEST_URI");
    const char *topic;
    MQTTClient pub = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_message *kept_message = NULL;
    void *kept_payload = NULL;
    long kept_payload_len = 0;
    tu_sub *sub;
    size_t s;
    int qos, round;

    check_library();
    tu_watchdog(240);
    topic = tu_topic("large/sync");
    MQTTClient_create(&pub, uri, tu_client_id("pub"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    printf("connect %d\n", MQTTClient_connect(pub, &o));
    sub = tu_sub_open(uri, topic, 2);

    for (round = 0; round < 2; round++)
        for (qos = 0; qos <= 2; qos++)
            for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
                enum keep keep = FREE_ALL;
                if (round == 0 && qos == 1 && s == 0)
                    keep = KEEP_PAYLOAD;
                else if (round == 0 && qos == 1 && s == 2)
                    keep = KEEP_MESSAGE;
                publish(pub, topic, sizes[s], qos);
                if (keep == KEEP_MESSAGE) {
                    kept_message = receive(sub, qos, keep, NULL);
                } else {
                    receive(sub, qos, keep, &kept_payload);
                    if (keep == KEEP_PAYLOAD)
                        kept_payload_len = sizes[s];
                }
            }

    printf("kept payload intact=%d\n", tu_pattern_intact(kept_payload, kept_payload_len, 1));
    MQTTClient_free(kept_payload); /* Paho's heap: not free() */
    printf("kept message intact=%d\n",
           kept_message ? tu_pattern_intact(kept_message->payload, kept_message->payloadlen, 1) : -1);
    if (kept_message)
        MQTTClient_freeMessage(&kept_message);

    tu_sub_close(sub);
    printf("disconnect %d\n", MQTTClient_disconnect(pub, 1000));
    MQTTClient_destroy(&pub);
    return 0;
}
