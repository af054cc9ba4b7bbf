/*
 * QoS 1 and 2 across broker restarts (ours only): a publisher sends 1,000
 * QoS 1 and 1,000 QoS 2 messages while the test stops and restarts its own
 * persistent mosquitto twice. Both clients use persistent sessions
 * (cleansession 0) and automaticReconnect; the publisher buffers while
 * disconnected. The subscriber must get every QoS 1 message at least once
 * and every QoS 2 message exactly once, and the publisher every onSuccess.
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "ownbroker.h"
#include "testutil.h"
#include "testutil_async.h"

#define N 1000

static int got[3][N], sent_ok, sent_failed, distinct[3];
static ta_done pub_outcome, sub_outcome;

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    int i = atoi((char *)m->payload), q = topic[strlen(topic) - 1] - '0';
    (void)ctx;
    (void)topic_len;
    ta_lock();
    if (i >= 0 && i < N && (q == 1 || q == 2) && got[q][i]++ == 0)
        distinct[q]++;
    ta_unlock_notify();
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void on_sent(void *ctx, MQTTAsync_successData *r) { (void)ctx; (void)r; ta_lock(); sent_ok++; ta_unlock_notify(); }
static void on_failed(void *ctx, MQTTAsync_failureData *r)
{
    (void)ctx;
    tu_log("send onFailure token %d code %d", r ? r->token : 0, r ? r->code : 0);
    ta_lock();
    sent_failed++;
    ta_unlock_notify();
}

static int all_in(void *arg)
{
    (void)arg;
    return (distinct[1] >= N && distinct[2] >= N && sent_ok + sent_failed >= 2 * N);
}

static MQTTAsync client(const char *uri, const char *name, ta_done *outcome)
{
    MQTTAsync c = NULL;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    co.sendWhileDisconnected = 1;
    co.maxBufferedMessages = 3 * N;
    if (MQTTAsync_createWithOptions(&c, uri, tu_client_id(name), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co))
        tu_fail("create %s", name);
    MQTTAsync_setCallbacks(c, NULL, NULL, arrived, NULL);
    o.cleansession = 0;
    o.automaticReconnect = 1;
    o.minRetryInterval = 1;
    o.maxRetryInterval = 1;
    o.keepAliveInterval = 5;
    o.maxInflight = 100;
    if (ta_connect_static(c, &o, MQTTVERSION_3_1_1, outcome))
        tu_fail("connect %s", name);
    return c;
}

int main(void)
{
    tb_broker b;
    MQTTAsync pub, sub;
    int i, q, dup2 = 0, missing = 0;

    check_library_async();
    tu_watchdog(55);
    memset(&b, 0, sizeof b);
    b.persistent = 1;
    tb_start(&b);
    sub = client(b.uri, "sub", &sub_outcome);
    ta_subscribe(sub, tu_topic("q1"), 2, 0);
    ta_subscribe(sub, tu_topic("q2"), 2, 0);
    pub = client(b.uri, "pub", &pub_outcome);

    for (i = 0; i < N; i++) {
        char payload[16];
        snprintf(payload, sizeof payload, "%d", i);
        for (q = 1; q <= 2; q++) {
            MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
            int rc;
            o.onSuccess = on_sent;
            o.onFailure = on_failed;
            rc = MQTTAsync_send(pub, tu_topic(q == 1 ? "q1" : "q2"), (int)strlen(payload) + 1, payload, q, 0, &o);
            if (rc != MQTTASYNC_SUCCESS)
                tu_fail("send %d at QoS %d: rc %d", i, q, rc);
        }
        if (i == N / 3 || i == 2 * N / 3) {
            tu_log("restarting the broker after message %d", i);
            tb_stop(&b, 0);
            tu_sleep_ms(300);
            tb_start(&b);
        }
        if (i % 10 == 0)
            tu_sleep_ms(5);
    }
    tu_step("waiting for every message");
    ta_wait_until(all_in, NULL, 40000);
    ta_lock();
    for (q = 1; q <= 2; q++) {
        int start = -1;
        for (i = 0; i <= N; i++) {
            int lost = i < N && !got[q][i];
            if (lost && start < 0)
                start = i;
            if (!lost && start >= 0) {
                tu_log("QoS %d: messages %d..%d missing", q, start, i - 1);
                start = -1;
            }
        }
    }
    for (i = 0; i < N; i++) {
        missing += !got[1][i] + !got[2][i];
        dup2 += got[2][i] > 1;
    }
    printf("QoS 1: %d of %d arrived; QoS 2: %d of %d arrived, %d duplicated; onSuccess %d, onFailure %d\n",
           distinct[1], N, distinct[2], N, dup2, sent_ok, sent_failed);
    ta_unlock_notify();
    if (missing || dup2 || sent_failed || sent_ok != 2 * N)
        tu_fail("%d messages lost, %d QoS 2 duplicates, %d onFailure, %d onSuccess of %d", missing, dup2,
                sent_failed, sent_ok, 2 * N);
    ta_close(&pub);
    ta_close(&sub);
    tb_stop(&b, 0);
    return 0;
}
