/*
 * Ours only: many messages of mixed sizes (1 byte .. 256 KiB) over mutual TLS, both ways
 * through the broker, arrive complete and in order. With an edge-triggered event loop, bytes
 * that OpenSSL has already decrypted and buffered raise no new readiness event; a client that
 * stops reading before WouldBlock stalls here (the watchdog fires).
 */
// link: paho-mqtt3cs
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

#define COUNT 600

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int received, bad;

static int size_of(int i)
{
    static const int sizes[] = {1, 100, 1500, 16383, 16384, 16385, 40000, 262144};
    return sizes[i % 8] + (i % 7);
}

static void fill(unsigned char *b, int n, int i)
{
    for (int k = 0; k < n; k++)
        b[k] = (unsigned char)(i * 31 + k);
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTClient_message *m)
{
    (void)ctx;
    (void)topic_len;
    pthread_mutex_lock(&lock);
    int i = received++;
    unsigned char *want = malloc((size_t)size_of(i));
    fill(want, size_of(i), i);
    if (m->payloadlen != size_of(i) || memcmp(m->payload, want, (size_t)m->payloadlen) != 0) {
        if (!bad++)
            fprintf(stderr, "message %d: %d bytes, wanted %d (or content differs)\n", i, m->payloadlen, size_of(i));
    }
    free(want);
    pthread_mutex_unlock(&lock);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static MQTTClient open_tls(const char *crt, const char *key, MQTTClient_messageArrived *cb)
{
    const char *dir = tu_env("MQTT_TEST_CERT_DIR");
    static char ca[1200], c1[1200], k1[1200];
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
    snprintf(ca, sizeof ca, "%s/CA.crt", dir);
    snprintf(c1, sizeof c1, "%s/%s", dir, crt);
    snprintf(k1, sizeof k1, "%s/%s", dir, key);
    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_MTLS_URI"), tu_client_id(crt), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    if (cb)
        TU_EXPECT_RC(MQTTClient_setCallbacks(c, NULL, NULL, cb, NULL), 0);
    s.trustStore = ca;
    s.keyStore = c1;
    s.privateKey = k1;
    s.verify = 1;
    o.ssl = &s;
    o.cleansession = 1;
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    return c;
}

int main(void)
{
    check_library();
    tu_watchdog(90);
    MQTTClient sub = open_tls("client-rsa.crt", "client-rsa.key", arrived);
    MQTTClient pub = open_tls("client.crt", "client.key", NULL);
    unsigned char *buf = malloc(300000);
    MQTTClient_deliveryToken last = 0;
    TU_EXPECT_RC(MQTTClient_subscribe(sub, tu_topic("bulk"), 1), 0);
    tu_step("publishing");
    for (int i = 0; i < COUNT; i++) {
        fill(buf, size_of(i), i);
        TU_EXPECT_RC(MQTTClient_publish(pub, tu_topic("bulk"), size_of(i), buf, 1, 0, &last), 0);
    }
    TU_EXPECT_RC(MQTTClient_waitForCompletion(pub, last, 60000), 0);
    tu_step("receiving");
    for (int t = 0;; t++) {
        pthread_mutex_lock(&lock);
        int n = received;
        pthread_mutex_unlock(&lock);
        if (n >= COUNT)
            break;
        if (t > 6000)
            tu_fail("received %d of %d", n, COUNT);
        tu_sleep_ms(10);
    }
    if (bad)
        tu_fail("%d messages differ", bad);
    printf("received %d messages intact\n", received);
    MQTTClient_disconnect(pub, 1000);
    MQTTClient_disconnect(sub, 1000);
    MQTTClient_destroy(&pub);
    MQTTClient_destroy(&sub);
    free(buf);
    return 0;
}
