/*
 * The cloud MQTT guide's scenario as one program: log in with a username and password,
 * publish "Hello World!" on testtopic/1 at QoS 1, and show that a subscriber got it.
 *
 *   gcc guide_example.c -lpaho-mqtt3c -o guide_example
 *   ./guide_example [URI [USERNAME PASSWORD]]
 *
 * URI defaults to tcp://localhost:1883, the credentials to the guide's your-username /
 * your-password. Two clients are used, so the broker really routes the message: the
 * subscriber is connected and subscribed before the publisher sends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"

#define TOPIC "testtopic/1"
#define PAYLOAD "Hello World!"
#define QOS 1
#define WAIT_MS 10000L

static int open_client(MQTTClient *client, const char *uri, const char *id,
                       const char *username, const char *password)
{
    MQTTClient_connectOptions opts = MQTTClient_connectOptions_initializer;
    int rc = MQTTClient_create(client, uri, id, MQTTCLIENT_PERSISTENCE_NONE, NULL);

    if (rc != MQTTCLIENT_SUCCESS) {
        fprintf(stderr, "%s: cannot create a client for %s: %s\n", id, uri, MQTTClient_strerror(rc));
        return rc;
    }
    opts.keepAliveInterval = 20;
    opts.cleansession = 1;
    opts.MQTTVersion = MQTTVERSION_3_1_1;
    opts.username = username;
    opts.password = password;
    rc = MQTTClient_connect(*client, &opts);
    if (rc != MQTTCLIENT_SUCCESS) {
        fprintf(stderr, "%s: cannot connect to %s as %s: %d (%s)\n", id, uri, username, rc,
                rc > 0 ? "refused by the broker: check the username and password"
                       : MQTTClient_strerror(rc));
        MQTTClient_destroy(client);
    }
    return rc;
}

int main(int argc, char *argv[])
{
    const char *uri = argc > 1 ? argv[1] : "tcp://localhost:1883";
    const char *username = argc > 3 ? argv[2] : "your-username";
    const char *password = argc > 3 ? argv[3] : "your-password";
    MQTTClient subscriber, publisher;
    MQTTClient_message message = MQTTClient_message_initializer;
    MQTTClient_message *received = NULL;
    MQTTClient_deliveryToken token;
    MQTTClient_nameValue *info;
    char *topic = NULL;
    int topic_len = 0, rc, ok = 0;

    for (info = MQTTClient_getVersionInfo(); info && info->name; info++)
        if (strcmp(info->name, "Product name") == 0)
            printf("library: %s\n", info->value);

    if (open_client(&subscriber, uri, "guide_example_sub", username, password) != MQTTCLIENT_SUCCESS)
        return 1;
    rc = MQTTClient_subscribe(subscriber, TOPIC, QOS);
    if (rc != MQTTCLIENT_SUCCESS) {
        fprintf(stderr, "subscribe to %s: %d\n", TOPIC, rc);
        return 1;
    }
    printf("subscriber: connected to %s as %s, subscribed to %s\n", uri, username, TOPIC);

    if (open_client(&publisher, uri, "guide_example_pub", username, password) != MQTTCLIENT_SUCCESS)
        return 1;
    message.payload = PAYLOAD;
    message.payloadlen = (int)strlen(PAYLOAD);
    message.qos = QOS;
    message.retained = 0;
    rc = MQTTClient_publishMessage(publisher, TOPIC, &message, &token);
    if (rc == MQTTCLIENT_SUCCESS)
        rc = MQTTClient_waitForCompletion(publisher, token, WAIT_MS);
    printf("publisher: \"%s\" on %s at QoS %d: %s\n", PAYLOAD, TOPIC, QOS,
           rc == MQTTCLIENT_SUCCESS ? "delivered" : MQTTClient_strerror(rc));

    /* receive() may return with no message when it wakes for something else: wait on. */
    for (int tries = 0; rc == MQTTCLIENT_SUCCESS && !received && tries < 10; tries++) {
        rc = MQTTClient_receive(subscriber, &topic, &topic_len, &received, WAIT_MS / 10);
        if (rc == MQTTCLIENT_TOPICNAME_TRUNCATED)
            rc = MQTTCLIENT_SUCCESS;
    }
    if (received) {
        printf("subscriber received on %s at QoS %d: %.*s\n", topic, received->qos,
               received->payloadlen, (const char *)received->payload);
        ok = received->qos == QOS && received->payloadlen == (int)strlen(PAYLOAD) &&
             memcmp(received->payload, PAYLOAD, strlen(PAYLOAD)) == 0;
        MQTTClient_freeMessage(&received);
        MQTTClient_free(topic);
    } else {
        printf("subscriber: nothing arrived within %ld s\n", WAIT_MS / 1000);
    }

    MQTTClient_disconnect(publisher, 1000);
    MQTTClient_destroy(&publisher);
    MQTTClient_disconnect(subscriber, 1000);
    MQTTClient_destroy(&subscriber);
    return ok ? 0 : 1;
}
