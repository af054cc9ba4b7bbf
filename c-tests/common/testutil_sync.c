/*
 * The helpers of testutil.h that call the synchronous API (MQTTClient_*).
 * They live apart from testutil.c so that tests linked with the async
 * library alone (-lpaho-mqtt3a) can use the rest: the common files are linked
 * as an archive, and this member is pulled in only by tests that use it.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

void check_library(void)
{
    const char *product = NULL;
    MQTTClient_nameValue *info;

    for (info = MQTTClient_getVersionInfo(); info && info->name; info++)
        if (strcmp(info->name, "Product name") == 0)
            product = info->value;
    tu_check_product(product);
}

struct tu_sub {
    MQTTClient client;
};

tu_sub *tu_sub_open(const char *uri, const char *topic, int qos)
{
    MQTTClient_connectOptions opts = MQTTClient_connectOptions_initializer;
    tu_sub *s = calloc(1, sizeof *s);
    int rc;

    if (!s)
        tu_fail("out of memory");
    rc = MQTTClient_create(&s->client, uri, tu_client_id("sub"), MQTTCLIENT_PERSISTENCE_NONE, NULL);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("subscriber create: %d", rc);
    opts.cleansession = 1;
    opts.keepAliveInterval = 20;
    if ((rc = MQTTClient_connect(s->client, &opts)) != MQTTCLIENT_SUCCESS)
        tu_fail("subscriber connect: %d", rc);
    if ((rc = MQTTClient_subscribe(s->client, topic, qos)) != MQTTCLIENT_SUCCESS)
        tu_fail("subscriber subscribe %s: %d", topic, rc);
    return s;
}

MQTTClient_message *tu_sub_next(tu_sub *s, int timeout_ms, char **topic)
{
    MQTTClient_message *msg = NULL;
    long long deadline = tu_now_ms() + timeout_ms;
    int len = 0, rc;

    *topic = NULL;
    /* receive may return success with no message when it woke for another
     * reason, so keep going until the deadline. */
    do {
        long long left = deadline - tu_now_ms();
        rc = MQTTClient_receive(s->client, topic, &len, &msg, left > 0 ? (unsigned long)left : 0);
        if (rc != MQTTCLIENT_SUCCESS && rc != MQTTCLIENT_TOPICNAME_TRUNCATED)
            tu_fail("subscriber receive: %d", rc);
    } while (!msg && tu_now_ms() < deadline);
    return msg;
}

void tu_sub_close(tu_sub *s)
{
    MQTTClient_disconnect(s->client, 1000);
    MQTTClient_destroy(&s->client);
    free(s);
}
