/*
 * TLS with the asynchronous client (differential, libpaho-mqtt3as): the guide's device flow
 * (MQTT 5, mutual TLS, QoS 1 publish received by a second device) and the failure codes of
 * refused TLS connects: the return code of MQTTAsync_connect or the onFailure5 code.
 */
// link: paho-mqtt3as
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static char certs[1024];

static const char *cert(const char *name)
{
    /* Kept for the life of the process (and reachable, for valgrind --leak-check). */
    static char *made[128];
    static int nmade;
    char *b = malloc(strlen(certs) + strlen(name) + 2);
    if (b == NULL || nmade == (int)(sizeof made / sizeof made[0]))
        tu_fail("cert: out of memory or slots");
    sprintf(b, "%s/%s", certs, name);
    made[nmade++] = b;
    return b;
}

/* Connects over TLS with MQTT 5; returns 0 and the connected client, or the failure. */
static int try_tls(const char *name, const char *uri, const char *ca, const char *crt, const char *key,
                   const char *password, int with_ssl, MQTTAsync *out)
{
    MQTTAsync c = ta_create(uri, "tls", MQTTVERSION_5);
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_SSLOptions s = MQTTAsync_SSLOptions_initializer;
    int rc;
    o.cleanstart = 1;
    o.connectTimeout = 5;
    s.trustStore = ca;
    s.keyStore = crt;
    s.privateKey = key;
    s.privateKeyPassword = password;
    s.verify = 1;
    if (with_ssl)
        o.ssl = &s;
    rc = ta_connect(c, &o, MQTTVERSION_5);
    printf("%s: %d\n", name, rc);
    if (rc == 0 && out) {
        *out = c;
        return 0;
    }
    ta_close(&c);
    return rc;
}

int main(void)
{
    check_library_async();
    tu_watchdog(90);
    snprintf(certs, sizeof certs, "%s", tu_env("MQTT_TEST_CERT_DIR"));
    const char *mtls = tu_env("MQTT_TEST_MTLS_URI");
    const char *tls = tu_env("MQTT_TEST_TLS_URI");
    MQTTAsync s = NULL, p = NULL;

    if (try_tls("subscriber SN0003", mtls, cert("CA.crt"), cert("client-rsa.crt"), cert("client-rsa.key"), NULL, 1, &s) ||
        try_tls("publisher SN0001", mtls, cert("CA.crt"), cert("client.crt"), cert("client.key"), NULL, 1, &p))
        tu_fail("guide flow: connect failed");
    MQTTAsync_setCallbacks(s, "sub", NULL, ta_arrived_event, NULL);
    ta_subscribe(s, tu_topic("home"), 1, 1);
    {
        MQTTAsync_message m = MQTTAsync_message_initializer;
        MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
        ta_done d;
        ta_response(&ro, &d, 1);
        m.payload = "hello over mutual TLS";
        m.payloadlen = (int)strlen(m.payload);
        m.qos = 1;
        printf("send: %d\n", MQTTAsync_sendMessage(p, tu_topic("home"), &m, &ro));
        printf("publish outcome: %d\n", ta_wait_done(&d, 10000));
    }
    if (!ta_wait_events(1, 10000))
        tu_fail("the second device received nothing");
    ta_print_events("  ");
    ta_close(&p);
    ta_close(&s);

    try_tls("revoked device certificate", mtls, cert("CA.crt"), cert("revoked.crt"), cert("revoked.key"), NULL, 1, NULL);
    try_tls("wrong CA for the server", tls, cert("other-CA.crt"), NULL, NULL, NULL, 1, NULL);
    try_tls("wrong key password", mtls, cert("CA.crt"), cert("client.crt"), cert("client-enc.key"), "wrong", 1, NULL);
    try_tls("right key password", mtls, cert("CA.crt"), cert("client.crt"), cert("client-enc.key"), "secret", 1, NULL);
    try_tls("missing trustStore", tls, cert("nothere.crt"), NULL, NULL, NULL, 1, NULL);
    try_tls("ssl:// without SSL options", tls, NULL, NULL, NULL, NULL, 0, NULL);
    return 0;
}
