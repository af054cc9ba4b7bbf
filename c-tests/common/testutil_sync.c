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

int tu_count_arrived(void *counts, char *topic, int topic_len, MQTTClient_message *m)
{
    tu_counts *c = counts;
    tu_log("messageArrived topicLen=%d payloadlen=%d", topic_len, m->payloadlen);
    pthread_mutex_lock(&c->lock);
    c->arrived++;
    pthread_mutex_unlock(&c->lock);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

void tu_count_lost(void *counts, char *cause)
{
    tu_counts *c = counts;
    tu_log("connectionLost cause=%s", cause ? cause : "NULL");
    pthread_mutex_lock(&c->lock);
    if (c->lost++ == 0)
        c->first_lost_ms = tu_now_ms();
    pthread_mutex_unlock(&c->lock);
}

void tu_counts_read(tu_counts *c, int *arrived, int *lost, long long *first_lost_ms)
{
    pthread_mutex_lock(&c->lock);
    if (arrived)
        *arrived = c->arrived;
    if (lost)
        *lost = c->lost;
    if (first_lost_ms)
        *first_lost_ms = c->first_lost_ms;
    pthread_mutex_unlock(&c->lock);
}

void tu_counts_reset(tu_counts *c)
{
    pthread_mutex_lock(&c->lock);
    c->arrived = c->lost = 0;
    c->first_lost_ms = 0;
    pthread_mutex_unlock(&c->lock);
}
