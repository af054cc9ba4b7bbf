/*
 * The non-TLS library refuses TLS URIs at create (differential, libpaho-mqtt3c): Debian's
 * build knows no ssl://, mqtts:// or wss:// there and returns MQTTCLIENT_BAD_PROTOCOL.
 */
// link: paho-mqtt3c
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

int main(void)
{
    const char *uris[] = {"ssl://localhost:8883", "mqtts://localhost", "wss://localhost:443", "tcp://localhost:1883"};
    check_library();
    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        MQTTClient c = NULL;
        int rc = MQTTClient_create(&c, uris[i], "nontls", MQTTCLIENT_PERSISTENCE_NONE, NULL);
        printf("%s: %d\n", uris[i], rc);
        if (rc == MQTTCLIENT_SUCCESS)
            MQTTClient_destroy(&c);
    }
    return 0;
}
