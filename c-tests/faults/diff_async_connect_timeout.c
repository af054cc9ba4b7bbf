/*
 * The broker accepts TCP, reads the CONNECT and never answers (differential,
 * async API, MQTT 3.1.1, 5 and DEFAULT, connectTimeout 2 s). As
 * faults/diff_connect_timeout for the sync API: the fake broker expects one
 * CONNECT per connection and then the client closing it.
 *
 * Printed: onFailure and its code (MQTT 5: onFailure5), whether it came in
 * about connectTimeout per attempt, the protocol levels of the CONNECTs.
 * For ours the bound is 300 ms per attempt (checked, not printed).
 */
// link: paho-mqtt3a
// timeout: 90
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "fakebroker.h"
#include "testutil_async.h"

#define TIMEOUT 2

static const unsigned char connect_any[] = { 0x10 };
static const unsigned char mask_type[] = { 0xff };
static const fake_step silent[] = { FS_EXPECT_PREFIX(connect_any, mask_type), FS_EXPECT_CLOSED(TIMEOUT * 1000 + 3000),
                                    FS_END };
static const fake_step *const scripts[] = { silent, silent };

static int ours_late;

static void run(const char *name, int version, int attempts)
{
    MQTTAsync_connectOptions o3 = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions o5 = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_connectOptions *o = version == MQTTVERSION_5 ? &o5 : &o3;
    fake_broker *fb = fake_start_script(scripts, attempts);
    MQTTAsync c;
    ta_done d;
    char uri[64];
    int rc, levels[4], n, i;
    long long t0, took, per;

    tu_step(name);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", fake_port(fb));
    c = ta_create(uri, "acto", version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT);
    o->connectTimeout = TIMEOUT;
    t0 = tu_now_ms();
    rc = ta_connect_static(c, o, version, &d);
    took = tu_now_ms() - t0;
    per = took / attempts;
    printf("%s: %s code %d\n", name, d.state == 1 ? "onSuccess" : d.state == -1 ? "onFailure" : "nothing",
           d.state == -1 ? d.code : rc);
    tu_log("%s: connect failed after %lld ms (%d attempts of %d s)", name, took, attempts, TIMEOUT);
    printf("%s: about connectTimeout per attempt: %s\n", name,
           per >= TIMEOUT * 1000 - 100 && per <= TIMEOUT * 1000 + 1500 ? "yes" : "no");
    if (tu_is_ours() && per > TIMEOUT * 1000 + 300) {
        tu_log("FAIL: %s: ours took %lld ms per attempt", name, per);
        ours_late++;
    }
    printf("%s: isConnected %d\n", name, MQTTAsync_isConnected(c));
    TU_ASSERT(fake_wait_script(fb, attempts - 1, 5000) == 1);
    fake_check(fb);
    n = fake_levels(fb, levels, 4);
    printf("%s: CONNECTs:", name);
    for (i = 0; i < n && i < 4; i++)
        printf(" level %d", levels[i]);
    printf("\n");
    MQTTAsync_destroy(&c);
    fake_stop(fb);
}

int main(void)
{
    check_library_async();
    tu_watchdog(80);
    run("v311", MQTTVERSION_3_1_1, 1);
    run("v5", MQTTVERSION_5, 1);
    run("default", MQTTVERSION_DEFAULT, 2);
    if (ours_late)
        tu_fail("%d connects overran connectTimeout", ours_late);
    return 0;
}
