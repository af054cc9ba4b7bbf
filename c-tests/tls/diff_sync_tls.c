/*
 * TLS options of the synchronous client (differential, libpaho-mqtt3cs): the guide's device
 * flow (MQTT 5, mutual TLS with CA, certificate and key to ssl://localhost, QoS 1 publish
 * received by a second device) and each way a TLS connect must be refused. Prints one line
 * per scenario: its name, connect's return code, the MQTT 5 reason code, and whether
 * ssl_error_cb was called.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

static char certs[1024];
static int error_lines;

/* A path in the certificate directory (never freed: the test is short). */
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

static int on_ssl_error(const char *str, size_t len, void *u)
{
    (void)u;
    error_lines++;
    fprintf(stderr, "  ssl_error_cb: %.*s", (int)len, str);
    return 0;
}

typedef struct {
    const char *ca, *capath, *cert, *key, *password, *ciphers;
    int server_auth, verify, no_ssl_struct;
    int errcb; /* Paho calls ssl_error_cb with at least one line */
    int psk;
} tls_case;

static unsigned int on_psk(const char *hint, char *identity, unsigned int max_identity_len,
                           unsigned char *psk, unsigned int max_psk_len, void *u)
{
    const char *key = tu_env("MQTT_TEST_PSK_KEY");
    unsigned int n = 0;
    (void)u;
    fprintf(stderr, "  psk hint %s\n", hint ? hint : "(none)");
    snprintf(identity, max_identity_len, "%s", tu_env("MQTT_TEST_PSK_IDENTITY"));
    for (; key[2 * n] && key[2 * n + 1] && n < max_psk_len; n++) {
        unsigned int b;
        sscanf(key + 2 * n, "%2x", &b);
        psk[n] = (unsigned char)b;
    }
    return n;
}

static MQTTClient open_client(const char *uri, const char *tag)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    co.MQTTVersion = MQTTVERSION_5;
    int rc = MQTTClient_createWithOptions(&c, uri, tu_client_id(tag), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("create %s: %d", uri, rc);
    return c;
}

/* Connects with the case's TLS options; returns connect's rc and leaves *out connected
 * when it worked (else destroyed and NULL). */
static int try_tls(const char *name, const char *uri, const tls_case *t, MQTTClient *out)
{
    MQTTClient c = open_client(uri, "tls");
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
    MQTTResponse r;
    o.cleanstart = 1;
    o.connectTimeout = 5;
    s.trustStore = t->ca;
    s.CApath = t->capath;
    s.keyStore = t->cert;
    s.privateKey = t->key;
    s.privateKeyPassword = t->password;
    s.enabledCipherSuites = t->ciphers;
    s.enableServerCertAuth = t->server_auth;
    s.verify = t->verify;
    s.ssl_error_cb = on_ssl_error;
    if (t->psk)
        s.ssl_psk_cb = on_psk;
    if (!t->no_ssl_struct)
        o.ssl = &s;
    error_lines = 0;
    fprintf(stderr, "-- %s\n", name);
    r = MQTTClient_connect5(c, &o, NULL, NULL);
    /* Which lines reach ssl_error_cb differs (Paho drops the first one of a failed option),
     * so only its use where Paho makes it is checked. */
    printf("%s: %d\n", name, r.reasonCode);
    if (t->errcb && error_lines == 0)
        tu_fail("%s: ssl_error_cb was not called", name);
    MQTTResponse_free(r);
    if (r.reasonCode == 0 && MQTTClient_isConnected(c)) {
        if (out) {
            *out = c;
            return 0;
        }
        MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL);
    }
    MQTTClient_destroy(&c);
    if (out)
        *out = NULL;
    return r.reasonCode;
}

int main(void)
{
    check_library();
    tu_watchdog(120);
    snprintf(certs, sizeof certs, "%s", tu_env("MQTT_TEST_CERT_DIR"));
    const char *mtls = tu_env("MQTT_TEST_MTLS_URI");
    const char *tls = tu_env("MQTT_TEST_TLS_URI");
    const char *nomatch = tu_env("MQTT_TEST_TLS_NOMATCH_URI");
    char combined[1200], mqtts[256];
    snprintf(combined, sizeof combined, "%s/combined.pem", tu_env("MQTT_TEST_TMPDIR"));
    {
        char cmd[4000];
        snprintf(cmd, sizeof cmd, "cat %s %s > %s", cert("client.crt"), cert("client.key"), combined);
        if (system(cmd) != 0)
            tu_fail("cannot write %s", combined);
    }
    snprintf(mqtts, sizeof mqtts, "mqtts://%s", strstr(tls, "://") + 3);

    /* The guide's flow: device SN0003 subscribes, device SN0001 publishes at QoS 1. */
    {
        tls_case sub = {cert("CA.crt"), NULL, cert("client-rsa.crt"), cert("client-rsa.key"), NULL, NULL, 1, 1, 0, 0, 0};
        tls_case pub = {cert("CA.crt"), NULL, cert("client.crt"), cert("client.key"), NULL, NULL, 1, 1, 0, 0, 0};
        MQTTClient s, p;
        MQTTResponse r;
        char *topic = NULL;
        int len = 0;
        MQTTClient_message *m = NULL;
        MQTTClient_message pm = MQTTClient_message_initializer;
        MQTTClient_deliveryToken dt;
        if (try_tls("guide subscriber (RSA key)", mtls, &sub, &s) != 0 || try_tls("guide publisher", mtls, &pub, &p) != 0)
            tu_fail("guide flow: connect failed");
        r = MQTTClient_subscribe5(s, tu_topic("home"), 1, NULL, NULL);
        printf("subscribe: %d\n", r.reasonCode);
        MQTTResponse_free(r);
        pm.payload = "hello over mutual TLS";
        pm.payloadlen = (int)strlen(pm.payload);
        pm.qos = 1;
        r = MQTTClient_publishMessage5(p, tu_topic("home"), &pm, &dt);
        printf("publish: %d\n", r.reasonCode);
        MQTTResponse_free(r);
        printf("wait for completion: %d\n", MQTTClient_waitForCompletion(p, dt, 5000));
        if (MQTTClient_receive(s, &topic, &len, &m, 5000) != MQTTCLIENT_SUCCESS || m == NULL)
            tu_fail("the second device received nothing");
        printf("received on %s qos %d: %.*s\n", tu_topic_suffix(topic), m->qos, m->payloadlen, (char *)m->payload);
        MQTTClient_freeMessage(&m);
        MQTTClient_free(topic);
        MQTTClient_disconnect5(p, 1000, MQTTREASONCODE_SUCCESS, NULL);
        MQTTClient_disconnect5(s, 1000, MQTTREASONCODE_SUCCESS, NULL);
        MQTTClient_destroy(&p);
        MQTTClient_destroy(&s);
    }

    struct { const char *name; const char *uri; tls_case t; } cases[] = {
        {"key inside keyStore", mtls, {cert("CA.crt"), NULL, combined, NULL, NULL, NULL, 1, 1, 0, 0, 0}},
        {"encrypted key, right password", mtls, {cert("CA.crt"), NULL, cert("client.crt"), cert("client-enc.key"), "secret", NULL, 1, 1, 0, 0, 0}},
        {"encrypted key, wrong password", mtls, {cert("CA.crt"), NULL, cert("client.crt"), cert("client-enc.key"), "wrong", NULL, 1, 1, 0, 1, 0}},
        {"revoked device certificate", mtls, {cert("CA.crt"), NULL, cert("revoked.crt"), cert("revoked.key"), NULL, NULL, 1, 1, 0, 0, 0}},
        {"certificate of another CA", mtls, {cert("CA.crt"), NULL, cert("other.crt"), cert("other.key"), NULL, NULL, 1, 1, 0, 0, 0}},
        {"no client certificate", mtls, {cert("CA.crt"), NULL, NULL, NULL, NULL, NULL, 1, 1, 0, 0, 0}},
        {"wrong CA for the server", tls, {cert("other-CA.crt"), NULL, NULL, NULL, NULL, NULL, 1, 0, 0, 1, 0}},
        {"wrong CA, enableServerCertAuth 0", tls, {cert("other-CA.crt"), NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0}},
        {"server cert auth, no CA at all", tls, {NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 0, 1, 0}},
        {"CApath without the CA", tls, {NULL, certs, NULL, NULL, NULL, NULL, 1, 0, 0, 1, 0}},
        {"host name mismatch, verify 1", nomatch, {cert("CA.crt"), NULL, NULL, NULL, NULL, NULL, 1, 1, 0, 0, 0}},
        {"host name mismatch, verify 0", nomatch, {cert("CA.crt"), NULL, NULL, NULL, NULL, NULL, 1, 0, 0, 0, 0}},
        {"localhost, verify 1", tls, {cert("CA.crt"), NULL, NULL, NULL, NULL, NULL, 1, 1, 0, 0, 0}},
        {"mqtts:// scheme", mqtts, {cert("CA.crt"), NULL, NULL, NULL, NULL, NULL, 1, 1, 0, 0, 0}},
        {"missing trustStore file", tls, {cert("nothere.crt"), NULL, NULL, NULL, NULL, NULL, 1, 0, 0, 1, 0}},
        {"missing keyStore file", mtls, {cert("CA.crt"), NULL, cert("nothere.crt"), cert("client.key"), NULL, NULL, 1, 0, 0, 1, 0}},
        {"missing privateKey file", mtls, {cert("CA.crt"), NULL, cert("client.crt"), cert("nothere.key"), NULL, NULL, 1, 0, 0, 1, 0}},
        {"trustStore not PEM", tls, {cert("notpem.txt"), NULL, NULL, NULL, NULL, NULL, 1, 0, 0, 1, 0}},
        {"keyStore not PEM", mtls, {cert("CA.crt"), NULL, cert("notpem.txt"), cert("client.key"), NULL, NULL, 1, 0, 0, 1, 0}},
        {"privateKey not PEM", mtls, {cert("CA.crt"), NULL, cert("client.crt"), cert("notpem.txt"), NULL, NULL, 1, 0, 0, 1, 0}},
        {"key does not match the certificate", mtls, {cert("CA.crt"), NULL, cert("client.crt"), cert("revoked.key"), NULL, NULL, 1, 0, 0, 0, 0}},
        {"ssl:// without SSL options", tls, {NULL, NULL, NULL, NULL, NULL, NULL, 1, 0, 1, 0, 0}},
        {"TLS-PSK", tu_env("MQTT_TEST_PSK_URI"), {NULL, NULL, NULL, NULL, NULL, "PSK", 1, 0, 0, 0, 1}},
        {"bad cipher list", tls, {cert("CA.crt"), NULL, NULL, NULL, NULL, "NO-SUCH-CIPHER", 1, 0, 0, 0, 0}},
        /* Last: Paho's ssl_error_cb output depends on what earlier failures left in
         * OpenSSL's error queue. */
        {"keyStore is a directory (unreadable)", mtls, {cert("CA.crt"), NULL, certs, cert("client.key"), NULL, NULL, 1, 0, 0, 0, 0}},
        {"cipher list ECDHE-ECDSA-AES128-GCM-SHA256", tls, {cert("CA.crt"), NULL, NULL, NULL, NULL, "ECDHE-ECDSA-AES128-GCM-SHA256", 1, 0, 0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        try_tls(cases[i].name, cases[i].uri, &cases[i].t, NULL);

    /* Older SSL option structs: `verify` and `CApath` exist from version 2 on, so a version 1
     * struct with verify set (and CApath pointing at junk) connects despite the host name. */
    for (int v = 0; v <= 5; v++) {
        MQTTClient c = open_client(nomatch, "sslver");
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
        MQTTResponse r;
        o.cleanstart = 1;
        o.connectTimeout = 5;
        s.struct_version = v;
        s.trustStore = cert("CA.crt");
        s.verify = 1;
        if (v < 2)
            s.CApath = (const char *)"\x01junk";
        o.ssl = &s;
        r = MQTTClient_connect5(c, &o, NULL, NULL);
        printf("SSL options version %d, verify 1, host mismatch: %d\n", v, r.reasonCode);
        MQTTResponse_free(r);
        if (MQTTClient_isConnected(c))
            MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL);
        MQTTClient_destroy(&c);
    }
    return 0;
}
