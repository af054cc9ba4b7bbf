/*
 * getVersionInfo of the TLS library (differential, libpaho-mqtt3as): after the product,
 * version and build level come the OpenSSL entries. Prints the names only (the values name
 * the library and its build).
 */
// link: paho-mqtt3as
#include <stdio.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

int main(void)
{
    MQTTAsync_nameValue *info;
    check_library_async();
    for (info = MQTTAsync_getVersionInfo(); info && info->name; info++)
        printf("%s: %s\n", info->name, info->value && info->value[0] ? "(set)" : "(empty)");
    return 0;
}
