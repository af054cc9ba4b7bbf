/*
 * Every API call from inside callbacks (ours only; Paho runs callbacks under
 * its global mutex or on the thread that would have to complete the token,
 * so several of these deadlock there). One chain of callbacks:
 *
 *   connect onSuccess    -> subscribe "a"                       (from onSuccess)
 *   subscribe onSuccess  -> send to "a", then waitForCompletion
 *                           of that send's token                (from onSuccess)
 *   arrived on "a"       -> subscribe "b", send to "b"          (from messageArrived)
 *   arrived on "b"       -> send QoS 2 to "c" and waitForCompletion on it,
 *                           isComplete, getPendingTokens, isConnected,
 *                           unsubscribe "a"                     (from messageArrived)
 *   unsubscribe onSuccess-> done
 *
 * Each step records what the call returned; the main thread waits for the
 * end with a deadline and checks every result. A hang is a failure (the
 * watchdog fires).
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static MQTTAsync client;
static int done, failures;
static char topic_a[256], topic_b[256], topic_c[256];

static void check(const char *what, int rc, int want)
{
    tu_log("%s -> %d", what, rc);
    if (rc != want) {
        tu_log("FAILED: %s returned %d, expected %d", what, rc, want);
        ta_lock();
        failures++;
        ta_unlock_notify();
    }
}

static void on_failure(void *ctx, MQTTAsync_failureData *r)
{
    tu_log("onFailure in step %s: code %d", (char *)ctx, r ? r->code : 0);
    ta_lock();
    failures++;
    done = 1;
    ta_unlock_notify();
}

static void on_unsubscribed(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
    ta_lock();
    done = 1;
    ta_unlock_notify();
}

static void on_sent(void *ctx, MQTTAsync_successData *r)
{
    tu_log("send onSuccess (%s) token %d", (char *)ctx, r->token);
}

static int send_with(const char *topic, const char *payload, int qos, MQTTAsync_token *token)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    int rc;
    o.context = (void *)payload;
    o.onSuccess = on_sent;
    o.onFailure = on_failure;
    rc = MQTTAsync_send(client, topic, (int)strlen(payload), payload, qos, 0, &o);
    if (token)
        *token = o.token;
    return rc;
}

static int subscribe_with(const char *topic, MQTTAsync_onSuccess *cb, const char *step)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    o.context = (void *)step;
    o.onSuccess = cb;
    o.onFailure = on_failure;
    return MQTTAsync_subscribe(client, topic, 1, &o);
}

static void on_subscribed_a(void *ctx, MQTTAsync_successData *r)
{
    MQTTAsync_token token = 0;
    (void)ctx;
    (void)r;
    check("send from subscribe onSuccess", send_with(topic_a, "to-a", 1, &token), MQTTASYNC_SUCCESS);
    check("waitForCompletion of the send inside subscribe onSuccess",
          MQTTAsync_waitForCompletion(client, token, 5000), MQTTASYNC_SUCCESS);
    check("isComplete after waitForCompletion", MQTTAsync_isComplete(client, token), 1);
}

static void on_subscribed_b(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
}

static void on_connected(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
    check("subscribe from connect onSuccess", subscribe_with(topic_a, on_subscribed_a, "sub-a"), MQTTASYNC_SUCCESS);
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    tu_log("arrived on %s", topic);
    if (strcmp(topic, topic_a) == 0) {
        check("subscribe from messageArrived", subscribe_with(topic_b, on_subscribed_b, "sub-b"), MQTTASYNC_SUCCESS);
        check("send from messageArrived", send_with(topic_b, "to-b", 1, NULL), MQTTASYNC_SUCCESS);
    } else if (strcmp(topic, topic_b) == 0) {
        MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
        MQTTAsync_token token = 0, *pending = NULL;
        check("send QoS 2 from messageArrived", send_with(topic_c, "to-c", 2, &token), MQTTASYNC_SUCCESS);
        check("waitForCompletion inside messageArrived", MQTTAsync_waitForCompletion(client, token, 5000),
              MQTTASYNC_SUCCESS);
        check("isComplete inside messageArrived", MQTTAsync_isComplete(client, token), 1);
        check("getPendingTokens inside messageArrived", MQTTAsync_getPendingTokens(client, &pending),
              MQTTASYNC_SUCCESS);
        MQTTAsync_free(pending);
        check("isConnected inside messageArrived", MQTTAsync_isConnected(client), 1);
        o.onSuccess = on_unsubscribed;
        o.onFailure = on_failure;
        o.context = "unsub";
        check("unsubscribe from messageArrived", MQTTAsync_unsubscribe(client, topic_a, &o), MQTTASYNC_SUCCESS);
    }
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static int is_done(void *arg) { (void)arg; return done; }

int main(void)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    check_library_async();
    snprintf(topic_a, sizeof topic_a, "%s", tu_topic("a"));
    snprintf(topic_b, sizeof topic_b, "%s", tu_topic("b"));
    snprintf(topic_c, sizeof topic_c, "%s", tu_topic("c"));
    client = ta_create(tu_env("MQTT_TEST_URI"), "cb", MQTTVERSION_DEFAULT);
    MQTTAsync_setCallbacks(client, NULL, NULL, arrived, NULL);
    o.onSuccess = on_connected;
    o.onFailure = on_failure;
    o.context = "connect";
    TU_EXPECT_RC(MQTTAsync_connect(client, &o), MQTTASYNC_SUCCESS);
    tu_step("waiting for the chain of callbacks");
    if (!ta_wait_until(is_done, NULL, 15000))
        tu_fail("the chain of callbacks did not finish within 15 s");
    if (failures)
        tu_fail("%d calls from inside callbacks failed (see above)", failures);
    printf("every call from inside callbacks succeeded\n");
    ta_close(&client);
    return 0;
}
