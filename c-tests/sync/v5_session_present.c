/*
 * MQTT 5 sessionPresent through the synchronous client (ours only): connect5
 * must report the broker's CONNACK flag in connectOptions.returned.
 *
 * Deliberate deviation (c-tests/diff/README.md): Debian's Paho 1.3.12 always
 * leaves returned.sessionPresent 0 for MQTT 5, even when the CONNACK says 1,
 * so diff/connect_versions and diff/persistent_session do not print it for
 * MQTT 5; this test pins ours:
 *   1. clean start, session expiry 60 s      -> 0 (nothing to resume)
 *   2. no clean start, expiry 60 s            -> 1 (the session survived)
 *   3. the same once more after a subscribe   -> 1
 *   4. clean start                            -> 0 (the session is discarded)
 *   5. no clean start after 4 with expiry 0   -> 0 (4 left no session)
 * Against Paho (MQTT_TEST_EXPECT=paho) it prints what it sees and exits 0.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

/* connect5 with the given clean start flag and session expiry; returns
 * returned.sessionPresent, failing on anything but success. */
static int connect5(MQTTClient c, int cleanstart, int expiry)
{
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTProperties props = MQTTProperties_initializer;
    MQTTProperty p;
    MQTTResponse r;
    int present;

    memset(&p, 0, sizeof p);
    p.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
    p.value.integer4 = (unsigned int)expiry;
    MQTTProperties_add(&props, &p);
    o.cleanstart = cleanstart;
    r = MQTTClient_connect5(c, &o, &props, NULL);
    if (r.reasonCode != MQTTREASONCODE_SUCCESS)
        tu_fail("connect5 (cleanstart %d, expiry %d): %d", cleanstart, expiry, r.reasonCode);
    present = o.returned.sessionPresent;
    MQTTResponse_free(r);
    MQTTProperties_free(&props);
    if (!MQTTClient_isConnected(c))
        tu_fail("not connected after connect5");
    return present;
}

static void disconnect5(MQTTClient c)
{
    TU_EXPECT_RC(MQTTClient_disconnect5(c, 1000, MQTTREASONCODE_SUCCESS, NULL), MQTTCLIENT_SUCCESS);
}

int main(void)
{
    static const struct step {
        const char *what;
        int cleanstart, expiry, want;
    } steps[] = {
        { "clean start", 1, 60, 0 },
        { "resume", 0, 60, 1 },
        { "resume after subscribe", 0, 60, 1 },
        { "clean start again", 1, 0, 0 },
        { "resume after a clean start with expiry 0", 0, 0, 0 },
    };
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    char id[32];
    size_t i;
    int failures = 0;

    check_library();
    snprintf(id, sizeof id, "%s", tu_client_id("v5sp"));
    co.MQTTVersion = MQTTVERSION_5;
    TU_EXPECT_RC(MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), id, MQTTCLIENT_PERSISTENCE_NONE, NULL, &co),
                 MQTTCLIENT_SUCCESS);
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int present;
        tu_step(steps[i].what);
        present = connect5(c, steps[i].cleanstart, steps[i].expiry);
        printf("%s: sessionPresent=%d (want %d)\n", steps[i].what, present, steps[i].want);
        if (present != steps[i].want)
            failures++;
        if (i == 1) {
            /* Something in the session, so step 3 resumes a non-empty one. */
            MQTTResponse r = MQTTClient_subscribe5(c, tu_topic("sp"), 1, NULL, NULL);
            if (r.reasonCode != MQTTREASONCODE_GRANTED_QOS_1)
                tu_fail("subscribe5: %d", r.reasonCode);
            MQTTResponse_free(r);
        }
        disconnect5(c);
    }
    MQTTClient_destroy(&c);
    if (!tu_is_ours()) {
        tu_log("Paho: %d steps differ from the broker's flag (expected: sessionPresent stays 0)", failures);
        return 0;
    }
    if (failures)
        tu_fail("%d connects reported the wrong sessionPresent", failures);
    return 0;
}
