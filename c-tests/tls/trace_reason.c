/*
 * Ours only: a refused TLS connect leaves a trace line (level ERROR) with OpenSSL's reason,
 * and ssl_error_cb gets OpenSSL's error lines: a server certificate from a CA we do not
 * trust, a missing CA file, a host name that the certificate does not name, and the
 * broker's alerts for a revoked certificate and for none.
 */
// link: paho-mqtt3cs
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

static char traced[65536];
static char errlines[65536];

static void on_trace(enum MQTTCLIENT_TRACE_LEVELS level, char *message)
{
    if (level >= MQTTCLIENT_TRACE_ERROR && strlen(traced) + strlen(message) + 2 < sizeof traced) {
        strcat(traced, message);
        strcat(traced, "\n");
    }
}

static int on_ssl_error(const char *str, size_t len, void *u)
{
    (void)u;
    if (strlen(errlines) + len + 1 < sizeof errlines)
        strncat(errlines, str, len);
    return 0;
}

static void expect(const char *name, const char *uri, const char *ca, const char *crt, const char *key,
                   int verify, const char *in_trace, const char *in_errcb)
{
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
    int rc;
    traced[0] = errlines[0] = 0;
    TU_EXPECT_RC(MQTTClient_create(&c, uri, tu_client_id("trace"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    s.trustStore = ca;
    s.keyStore = crt;
    s.privateKey = key;
    s.verify = verify;
    s.ssl_error_cb = on_ssl_error;
    o.ssl = &s;
    o.connectTimeout = 5;
    rc = MQTTClient_connect(c, &o);
    if (rc != MQTTCLIENT_FAILURE)
        tu_fail("%s: connect returned %d, expected MQTTCLIENT_FAILURE", name, rc);
    if (MQTTClient_isConnected(c))
        tu_fail("%s: connected", name);
    if (!strstr(traced, in_trace))
        tu_fail("%s: no trace line with \"%s\"; traced:\n%s", name, in_trace, traced);
    if (in_errcb && !strstr(errlines, in_errcb))
        tu_fail("%s: ssl_error_cb got no \"%s\"; it got:\n%s", name, in_errcb, errlines);
    if (!in_errcb && errlines[0])
        tu_fail("%s: ssl_error_cb called (Paho does not): %s", name, errlines);
    printf("%s: ok\n", name);
    MQTTClient_destroy(&c);
}

int main(void)
{
    char other[1200], missing[1200], ca[1200], crt[1200], key[1200];
    const char *dir = tu_env("MQTT_TEST_CERT_DIR");
    check_library();
    tu_watchdog(60);
    snprintf(other, sizeof other, "%s/other-CA.crt", dir);
    snprintf(missing, sizeof missing, "%s/nothere.crt", dir);
    snprintf(ca, sizeof ca, "%s/CA.crt", dir);
    snprintf(crt, sizeof crt, "%s/revoked.crt", dir);
    snprintf(key, sizeof key, "%s/revoked.key", dir);
    MQTTClient_setTraceLevel(MQTTCLIENT_TRACE_ERROR);
    MQTTClient_setTraceCallback(on_trace);
    expect("untrusted server", tu_env("MQTT_TEST_TLS_URI"), other, NULL, NULL, 0, "certificate verify failed",
           "certificate verify failed");
    expect("missing CA file", tu_env("MQTT_TEST_TLS_URI"), missing, NULL, NULL, 0, "such file", "such file");
    expect("host name mismatch", tu_env("MQTT_TEST_TLS_NOMATCH_URI"), ca, NULL, NULL, 1, "does not match host",
           NULL);
    /* Refusals by the server arrive as TLS alerts once our side of the handshake is done. */
    expect("revoked certificate", tu_env("MQTT_TEST_MTLS_URI"), ca, crt, key, 1, "alert certificate revoked", NULL);
    expect("no client certificate", tu_env("MQTT_TEST_MTLS_URI"), ca, NULL, NULL, 1, "alert certificate required",
           NULL);
    return 0;
}
