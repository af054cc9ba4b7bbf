/*
 * Restart with the file store (ours only): exact bytes.
 *
 * A child process connects (cleansession 0) to a fake broker that answers
 * CONNACK with session present and then acknowledges nothing, publishes three
 * QoS 1 and three QoS 2 messages in turn, and ends with _exit (no disconnect,
 * no destroy), as a crash would. A new client with the same client id and
 * store must list the six tokens as pending right after create (as Paho does),
 * and after connecting send the same six PUBLISH packets again, in the same
 * order, with the same packet ids and DUP=1.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

#define N 6

static const char *ID = "restart-dup";

static MQTTClient make(const char *uri, const char *store)
{
    MQTTClient c;
    int rc = MQTTClient_create(&c, uri, ID, MQTTCLIENT_PERSISTENCE_DEFAULT, (void *)store);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("create: %d", rc);
    return c;
}

static void connect_kept(MQTTClient c)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    int rc;
    o.cleansession = 0;
    o.reliable = 0;
    o.connectTimeout = 5;
    if ((rc = MQTTClient_connect(c, &o)) != MQTTCLIENT_SUCCESS)
        tu_fail("connect: %d", rc);
}

/* Parses the PUBLISH packets at the start of buf: flags, ids and payload numbers. */
static int parse(const unsigned char *buf, int len, int *flags, int *ids, int *nums)
{
    int pos = 0, n = 0;
    while (pos + 2 <= len && n < N) {
        int rl = buf[pos + 1], tl, start = pos + 2, qos;
        if ((buf[pos] & 0xf0) != 0x30 || rl > 127 || start + rl > len)
            break;
        qos = (buf[pos] >> 1) & 3;
        flags[n] = buf[pos] & 0x0f;
        tl = (buf[start] << 8) | buf[start + 1];
        ids[n] = qos ? (buf[start + 2 + tl] << 8) | buf[start + 3 + tl] : 0;
        {
            int p0 = start + 2 + tl + (qos ? 2 : 0), plen = start + rl - p0;
            char tmp[16];
            if (plen < 0 || plen > 15)
                break;
            memcpy(tmp, buf + p0, (size_t)plen);
            tmp[plen] = 0;
            nums[n] = atoi(tmp);
        }
        n++;
        pos = start + rl;
    }
    return n;
}

int main(void)
{
    static const unsigned char connack_present[] = { 0x20, 0x02, 0x01, 0x00 };
    fake_reply rep = { .bytes = connack_present, .len = 4, .hold_ms = 1500 };
    fake_broker *fb;
    char uri[64], store[256];
    const char *tmp = tu_env_opt("MQTT_TEST_TMPDIR");
    unsigned char first[256], second[256];
    int n1, n2, f1[N], f2[N], id1[N], id2[N], num1[N], num2[N], i, status;
    MQTTClient c;
    MQTTClient_deliveryToken *toks = NULL;
    pid_t pid;

    check_library();
    snprintf(store, sizeof store, "%s/restart-dup-%d", tmp ? tmp : "/tmp", (int)getpid());
    if (mkdir(store, 0700) != 0)
        tu_fail("mkdir %s", store);
    fb = fake_start(&rep, 1);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));

    tu_step("first process");
    pid = fork();
    if (pid == 0) {
        MQTTClient pc = make(uri, store);
        connect_kept(pc);
        for (i = 0; i < N; i++) {
            char payload[8];
            MQTTClient_deliveryToken t;
            int len = snprintf(payload, sizeof payload, "%d", i);
            if (MQTTClient_publish(pc, "restart/dup", len, payload, i % 2 ? 2 : 1, 0, &t) != 0)
                _exit(4);
        }
        usleep(200 * 1000); /* let the bytes reach the fake broker */
        _exit(0);
    }
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tu_fail("first process failed: status %d", status);

    tu_step("second process");
    c = make(uri, store);
    if (MQTTClient_getPendingDeliveryTokens(c, &toks) != MQTTCLIENT_SUCCESS || !toks)
        tu_fail("no pending tokens after create");
    for (i = 0; toks[i] != -1; i++)
        ;
    printf("pending after create: %d\n", i);
    MQTTClient_free(toks);
    if (i != N)
        tu_fail("expected %d pending tokens", N);
    connect_kept(c);
    tu_sleep_ms(500);

    n1 = parse(first, fake_received(fb, 0, first, sizeof first), f1, id1, num1);
    n2 = parse(second, fake_received(fb, 1, second, sizeof second), f2, id2, num2);
    printf("first connection: %d PUBLISH, second: %d PUBLISH\n", n1, n2);
    if (n1 != N || n2 != N)
        tu_fail("expected %d PUBLISH on each connection", N);
    for (i = 0; i < N; i++) {
        printf("  #%d: id %d -> %d, payload %d -> %d, DUP %d -> %d, QoS %d\n", i, id1[i], id2[i], num1[i],
               num2[i], (f1[i] >> 3) & 1, (f2[i] >> 3) & 1, (f2[i] >> 1) & 3);
        if (id1[i] != id2[i] || num1[i] != num2[i] || num2[i] != i)
            tu_fail("message %d resent out of order or under another id", i);
        if (!(f2[i] & 0x08) || (f1[i] & 0x08))
            tu_fail("message %d: DUP must be 0 first and 1 when resent", i);
        if (((f2[i] >> 1) & 3) != (i % 2 ? 2 : 1))
            tu_fail("message %d: wrong QoS", i);
    }
    MQTTClient_disconnect(c, 0);
    MQTTClient_destroy(&c);
    fake_stop(fb);
    {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
        if (system(cmd) != 0)
            tu_log("could not remove %s", store);
    }
    return 0;
}
