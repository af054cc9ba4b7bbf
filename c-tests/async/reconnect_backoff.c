/*
 * Automatic reconnect intervals double between the bounds (ours only):
 * minRetryInterval 1, maxRetryInterval 4. The test's own mosquitto is killed
 * and the test listens on its port itself, accepting and at once closing
 * each connection, so every reconnect attempt is seen with its time. The
 * waits before the attempts (from connectionLost, then from each failed
 * attempt) must be about 1, 2, 4, 4 s, each within 0.6 s. (Paho here: 3, 3,
 * 6, 6: it notices the closed connection only at connectTimeout, 2 s.)
 */
// link: paho-mqtt3a
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "MQTTAsync.h"
#include "ownbroker.h"
#include "testutil.h"
#include "testutil_async.h"

#define ATTEMPTS 4

static long long attempt_ms[ATTEMPTS];
static int attempts;
static ta_done outcome;
static int lost_calls;
static long long lost_ms;

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_lock();
    if (lost_calls++ == 0)
        lost_ms = tu_now_ms();
    ta_unlock_notify();
}
static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    return ta_arrived_event(ctx, topic, topic_len, m);
}

static void *acceptor(void *arg)
{
    int s = *(int *)arg;
    while (attempts < ATTEMPTS) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            break;
        ta_lock();
        attempt_ms[attempts++] = tu_now_ms();
        ta_unlock_notify();
        close(c);
    }
    return NULL;
}

static int was_lost(void *arg) { (void)arg; return lost_calls > 0; }
static int enough(void *arg) { (void)arg; return attempts >= ATTEMPTS; }

int main(void)
{
    static const double expect[ATTEMPTS] = { 1, 2, 4, 4 };
    tb_broker b;
    MQTTAsync c = NULL;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    struct sockaddr_in a;
    pthread_t th;
    int s, one = 1, i, bad = 0;

    check_library_async();
    tu_watchdog(40);
    memset(&b, 0, sizeof b);
    tb_start(&b);
    c = ta_create(b.uri, "backoff", MQTTVERSION_DEFAULT);
    MQTTAsync_setCallbacks(c, NULL, lost, arrived, NULL);
    o.automaticReconnect = 1;
    o.minRetryInterval = 1;
    o.maxRetryInterval = 4;
    o.connectTimeout = 2;
    TU_EXPECT_RC(ta_connect_static(c, &o, MQTTVERSION_3_1_1, &outcome), 0);

    tb_stop(&b, 1);
    s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)b.port);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16))
        tu_fail("cannot listen on the broker's port %d", b.port);
    pthread_create(&th, NULL, acceptor, &s);
    if (!ta_wait_until(was_lost, NULL, 10000))
        tu_fail("no connectionLost after the broker was killed");

    tu_step("watching reconnect attempts");
    if (!ta_wait_until(enough, NULL, 30000))
        tu_fail("only %d reconnect attempts within 30 s", attempts);
    for (i = 0; i < ATTEMPTS; i++) {
        double gap = (double)(attempt_ms[i] - (i ? attempt_ms[i - 1] : lost_ms)) / 1000.0;
        int ok = gap > expect[i] - 0.6 && gap < expect[i] + 0.6;
        tu_log("wait before attempt %d: %.2f s (expected %.0f)", i + 1, gap, expect[i]);
        printf("wait before reconnect attempt %d: %s%.0f s\n", i + 1, ok ? "" : "NOT ", expect[i]);
        bad += !ok;
    }
    MQTTAsync_destroy(&c);
    shutdown(s, SHUT_RDWR);
    close(s);
    pthread_join(th, NULL);
    if (bad)
        tu_fail("%d reconnect gaps off the doubling schedule 1, 2, 4, 4 s", bad);
    return 0;
}
