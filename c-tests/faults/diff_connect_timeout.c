/*
 * The broker accepts TCP, reads the CONNECT and never answers (differential,
 * sync API, MQTT 3.1.1, 5 and DEFAULT, connectTimeout 2 s). The scripted fake
 * broker expects one CONNECT and then the client closing the connection,
 * sending nothing else. With MQTTVERSION_DEFAULT too: connectTimeout covers
 * every protocol version tried on a server URI together, so after 3.1.1
 * timed out Paho's MQTTClient_connect does not try 3.1 (no second
 * connection), and neither do we. (The async API gives each attempt its own
 * timeout and does try 3.1: faults/diff_async_connect_timeout.)
 *
 * Printed: the return code (MQTT 5: the reasonCode), whether connect gave up
 * in about connectTimeout, the protocol levels of the CONNECTs.
 * "About": at least the timeout less 100 ms, at most 1.5 s more for Paho
 * (it checks its timeouts about once a second); for ours the bound is 300 ms
 * (checked, not printed, as the two differ there). Timings on stderr.
 * diff/connect_failures has the same with a listener that never accepts.
 */
// timeout: 90
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "fakebroker.h"
#include "testutil.h"

#define TIMEOUT 2

static const unsigned char connect_any[] = { 0x10 };
static const unsigned char mask_type[] = { 0xff };
static const fake_step silent[] = { FS_EXPECT_PREFIX(connect_any, mask_type), FS_EXPECT_CLOSED(TIMEOUT * 1000 + 3000),
                                    FS_END };
static const fake_step *const scripts[] = { silent };

static int ours_late;

static void run(const char *name, int version)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    fake_broker *fb = fake_start_script(scripts, 1); /* a second connection is a mismatch */
    char uri[64];
    int rc, levels[4], n, i;
    long long t0, took, per;

    tu_step(name);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    co.MQTTVersion = version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    TU_EXPECT_RC(MQTTClient_createWithOptions(&c, uri, tu_client_id("cto"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co), 0);
    t0 = tu_now_ms();
    if (version == MQTTVERSION_5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r;
        o.connectTimeout = TIMEOUT;
        r = MQTTClient_connect5(c, &o, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
        printf("%s: reasonCode %d\n", name, rc);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.MQTTVersion = version;
        o.connectTimeout = TIMEOUT;
        rc = MQTTClient_connect(c, &o);
        printf("%s: %d\n", name, rc);
    }
    took = tu_now_ms() - t0;
    per = took;
    tu_log("%s: connect gave up after %lld ms (connectTimeout %d s)", name, took, TIMEOUT);
    printf("%s: about connectTimeout: %s\n", name,
           per >= TIMEOUT * 1000 - 100 && per <= TIMEOUT * 1000 + 1500 ? "yes" : "no");
    if (tu_is_ours() && per > TIMEOUT * 1000 + 300) {
        tu_log("FAIL: %s: ours took %lld ms", name, per);
        ours_late++;
    }
    printf("%s: isConnected %d\n", name, MQTTClient_isConnected(c));
    TU_ASSERT(fake_wait_script(fb, 0, 5000) == 1);
    tu_sleep_ms(300); /* a second attempt would connect now */
    fake_check(fb);
    n = fake_levels(fb, levels, 4);
    printf("%s: CONNECTs:", name);
    for (i = 0; i < n && i < 4; i++)
        printf(" level %d", levels[i]);
    printf("\n");
    MQTTClient_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    check_library();
    tu_watchdog(80);
    run("v311", MQTTVERSION_3_1_1);
    run("v5", MQTTVERSION_5);
    run("default", MQTTVERSION_DEFAULT);
    if (ours_late)
        tu_fail("%d connects overran connectTimeout", ours_late);
    return 0;
}
