/*
 * Username and password on the listener that requires them (differential):
 * correct credentials on MQTT 3.1, 3.1.1, 5 and DEFAULT; the password given
 * as binary (binarypwd) instead of a string; username without password; a
 * password without username (not allowed by MQTT 3.1.1). After a successful
 * connect a QoS 1 publish round trip shows the session works.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "testutil.h"

static void attempt(const char *name, int version, const char *user, const char *pw, int binary)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_connectOptions o5 = MQTTClient_connectOptions_initializer5;
    MQTTClient_connectOptions *op = version == MQTTVERSION_5 ? &o5 : &o;
    MQTTClient_deliveryToken dt = 0; /* not written when publish fails */
    int rc;

    tu_step(name);
    co.MQTTVersion = version == MQTTVERSION_5 ? MQTTVERSION_5 : MQTTVERSION_DEFAULT;
    MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_AUTH_URI"), tu_client_id("auth"), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    op->username = user;
    if (binary) {
        op->password = NULL;
        op->binarypwd.data = pw;
        op->binarypwd.len = (int)strlen(pw);
    } else
        op->password = pw;
    if (version == MQTTVERSION_5) {
        MQTTResponse r = MQTTClient_connect5(c, op, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
    } else {
        op->MQTTVersion = version;
        rc = MQTTClient_connect(c, op);
    }
    printf("%s: connect %d", name, rc);
    if (rc == 0) {
        MQTTClient_publish(c, tu_topic("auth"), 2, "hi", 1, 0, &dt);
        printf(" publish round trip %d", MQTTClient_waitForCompletion(c, dt, 5000));
        MQTTClient_disconnect(c, 1000);
    }
    printf("\n");
    MQTTClient_destroy(&c);
}

int main(void)
{
    const char *user = tu_env("MQTT_TEST_USER"), *pw = tu_env("MQTT_TEST_PASSWORD");
    check_library();
    attempt("v31", MQTTVERSION_3_1, user, pw, 0);
    attempt("v311", MQTTVERSION_3_1_1, user, pw, 0);
    attempt("v5", MQTTVERSION_5, user, pw, 0);
    attempt("default", MQTTVERSION_DEFAULT, user, pw, 0);
    attempt("v311_binary_password", MQTTVERSION_3_1_1, user, pw, 1);
    attempt("v5_binary_password", MQTTVERSION_5, user, pw, 1);
    attempt("v311_username_only", MQTTVERSION_3_1_1, user, NULL, 0);
    attempt("v311_password_only", MQTTVERSION_3_1_1, NULL, pw, 0);
    attempt("v5_password_only", MQTTVERSION_5, NULL, pw, 0);
    return 0;
}
