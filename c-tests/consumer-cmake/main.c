/* A program of the kind users build against an installed Paho: it finds the library through
 * the build system alone (CMake's find_package here, pkg-config in ../consumer-pkgconfig),
 * says which library it got, and connects to the broker given as argv[1] if any. */
#include <stdio.h>
#include <string.h>
#include "MQTTClient.h"

int main(int argc, char *argv[])
{
    const char *uri = argc > 1 ? argv[1] : "tcp://127.0.0.1:1883";
    MQTTClient client;
    MQTTClient_connectOptions opts = MQTTClient_connectOptions_initializer;
    MQTTClient_nameValue *info;
    int rc;

    for (info = MQTTClient_getVersionInfo(); info && info->name; info++)
        if (strcmp(info->name, "Product name") == 0 || strcmp(info->name, "Version") == 0)
            printf("%s: %s\n", info->name, info->value);

    rc = MQTTClient_create(&client, uri, "consumer-check", MQTTCLIENT_PERSISTENCE_NONE, NULL);
    if (rc != MQTTCLIENT_SUCCESS) {
        printf("create failed: %d\n", rc);
        return 1;
    }
    if (argc > 1) {
        opts.cleansession = 1;
        rc = MQTTClient_connect(client, &opts);
        printf("connect to %s: %d\n", uri, rc);
        if (rc == MQTTCLIENT_SUCCESS)
            MQTTClient_disconnect(client, 1000);
    }
    MQTTClient_destroy(&client);
    return rc == MQTTCLIENT_SUCCESS ? 0 : 1;
}
