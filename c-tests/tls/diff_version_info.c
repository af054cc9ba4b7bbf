/*
 * getVersionInfo of the TLS library (differential, libpaho-mqtt3cs): after the product,
 * version and build level come the OpenSSL entries. Prints the names only (the values name
 * the library and its build).
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

int main(void)
{
    MQTTClient_nameValue *info;
    check_library();
    for (info = MQTTClient_getVersionInfo(); info && info->name; info++)
        printf("%s: %s\n", info->name, info->value && info->value[0] ? "(set)" : "(empty)");
    return 0;
}
