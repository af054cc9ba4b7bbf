/*
 * Soak: one MQTTAsync client publishes QoS 1 and QoS 2 in turn at a steady rate,
 * with automatic reconnect, offline buffering and the file store, while
 * benches/soak.py restarts the broker every few seconds. A second client (QoS 2,
 * persistent session, automatic reconnect) counts what arrives.
 *
 *     soak URI STORE_DIR SECONDS RATE
 *
 * After SECONDS it stops publishing, waits (up to 60 s) until everything accepted
 * arrived, and prints a RESULT line: messages accepted, lost, QoS 2 duplicates,
 * resident memory after the first 5 s and at the end, reconnects.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "MQTTAsync.h"
#include "benchutil.h"

#define MAXN 200000

static unsigned char *got;
static volatile int sub_ready, pub_connects, sub_connects, dup_qos2, received;

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    char buf[16];
    int n, len = m->payloadlen < 15 ? m->payloadlen : 15;
    (void)ctx;
    (void)topic_len;
    memcpy(buf, m->payload, (size_t)len);
    buf[len] = 0;
    n = atoi(buf);
    if (n >= 0 && n < MAXN) {
        if (got[n] && n % 2)
            __atomic_add_fetch(&dup_qos2, 1, __ATOMIC_SEQ_CST);
        if (got[n] < 255)
            got[n]++;
    }
    __atomic_add_fetch(&received, 1, __ATOMIC_SEQ_CST);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void sub_connected(void *ctx, char *cause)
{
    (void)cause;
    __atomic_add_fetch(&sub_connects, 1, __ATOMIC_SEQ_CST);
    (void)ctx;
}

static void pub_connected(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    __atomic_add_fetch(&pub_connects, 1, __ATOMIC_SEQ_CST);
}

static void on_subscribed(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
    sub_ready = 1;
}

static void on_sub_connect(void *ctx, MQTTAsync_successData *r)
{
    MQTTAsync c = ctx;
    MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
    (void)r;
    ro.onSuccess = on_subscribed;
    ro.context = c;
    MQTTAsync_subscribe(c, "bench/soak", 2, &ro);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static MQTTAsync start(const char *uri, const char *id, const char *store, int sub)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    int rc;
    co.sendWhileDisconnected = 1;
    co.maxBufferedMessages = MAXN;
    rc = MQTTAsync_createWithOptions(&c, uri, id, store ? MQTTCLIENT_PERSISTENCE_DEFAULT : MQTTCLIENT_PERSISTENCE_NONE,
                                     (void *)store, &co);
    if (rc != MQTTASYNC_SUCCESS) {
        fprintf(stderr, "create %s: %d\n", id, rc);
        exit(1);
    }
    if (sub)
        MQTTAsync_setCallbacks(c, c, NULL, arrived, NULL);
    MQTTAsync_setConnected(c, c, sub ? sub_connected : pub_connected);
    o.cleansession = 0;
    o.keepAliveInterval = 10;
    o.automaticReconnect = 1;
    o.minRetryInterval = 1;
    o.maxRetryInterval = 2;
    o.maxInflight = 10; /* mosquitto drops a 3.1.1 client with more than 20 QoS 2 unreleased */
    o.context = c;
    if (sub)
        o.onSuccess = on_sub_connect;
    rc = MQTTAsync_connect(c, &o);
    if (rc != MQTTASYNC_SUCCESS) {
        fprintf(stderr, "connect %s: %d\n", id, rc);
        exit(1);
    }
    return c;
}

int main(int argc, char **argv)
{
    const char *uri, *store;
    int seconds, rate, n = 0, accepted = 0, refused = 0, lost = 0, i;
    long rss5 = -1, rss_end, threads5 = -1, threads_end;
    double t0, next_rss;
    MQTTAsync pub, sub;
    unsigned char *ok;
    MQTTAsync_nameValue *info = MQTTAsync_getVersionInfo();
    const char *version = "?";

    if (argc != 5) {
        fprintf(stderr, "usage: soak URI STORE_DIR SECONDS RATE\n");
        return 2;
    }
    uri = argv[1];
    store = argv[2];
    seconds = atoi(argv[3]);
    rate = atoi(argv[4]);
    /* The counters are touched now, so that their pages count from the start and the
     * growth measured is the libraries' alone. */
    got = malloc(MAXN);
    ok = malloc(MAXN);
    if (!got || !ok)
        return 2;
    memset(got, 0, MAXN);
    memset(ok, 0, MAXN);
    for (i = 0; info && info[i].name; i++)
        if (strcmp(info[i].name, "Version") == 0)
            version = info[i].value;

    sub = start(uri, "soak-sub", NULL, 1);
    while (!sub_ready)
        sleep_ms(10);
    pub = start(uri, "soak-pub", store, 0);
    t0 = bu_now_us();
    next_rss = t0 + 5e6;
    while (bu_now_us() - t0 < seconds * 1e6 && n < MAXN) {
        /* Publish at `rate` messages per second, in steps of 10 ms. */
        double due = (bu_now_us() - t0) / 1e6 * rate;
        while (n < due && n < MAXN) {
            char payload[16];
            MQTTAsync_message m = MQTTAsync_message_initializer;
            int len = snprintf(payload, sizeof payload, "%d", n);
            m.payload = payload;
            m.payloadlen = len;
            m.qos = n % 2 ? 2 : 1;
            if (MQTTAsync_sendMessage(pub, "bench/soak", &m, NULL) == MQTTASYNC_SUCCESS) {
                ok[n] = 1;
                accepted++;
            } else
                refused++;
            n++;
        }
        if (rss5 < 0 && bu_now_us() >= next_rss) {
            rss5 = bu_proc_status("VmRSS");
            threads5 = bu_proc_status("Threads");
        }
        sleep_ms(10);
    }
    /* Everything accepted must arrive. */
    {
        double until = bu_now_us() + 60e6;
        for (;;) {
            lost = 0;
            for (i = 0; i < n; i++)
                if (ok[i] && !__atomic_load_n(&got[i], __ATOMIC_SEQ_CST))
                    lost++;
            if (!lost || bu_now_us() > until)
                break;
            sleep_ms(100);
        }
    }
    rss_end = bu_proc_status("VmRSS");
    threads_end = bu_proc_status("Threads");
    printf("RESULT {\"case\":\"soak\",\"lib\":\"%s\",\"version\":\"%s\",\"seconds\":%d,\"rate\":%d,"
           "\"accepted\":%d,\"refused\":%d,\"received\":%d,\"lost\":%d,\"dup\":%d,"
           "\"rss_5s_kb\":%ld,\"rss_end_kb\":%ld,\"threads_5s\":%ld,\"threads_end\":%ld,"
           "\"pub_connects\":%d,\"sub_connects\":%d}\n",
           bu_library_file((void *)MQTTAsync_create), version, seconds, rate, accepted, refused, received, lost,
           dup_qos2, rss5, rss_end, threads5, threads_end, pub_connects, sub_connects);
    fflush(stdout);
    MQTTAsync_destroy(&pub);
    MQTTAsync_destroy(&sub);
    return lost || dup_qos2 ? 1 : 0;
}
