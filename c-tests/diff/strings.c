/*
 * Texts and tables the library hands out (differential): MQTTClient_strerror
 * for every return code from -20 to 5 (NULL printed as NULL),
 * MQTTReasonCode_toString for every value 0..255, MQTTPropertyName and
 * MQTTProperty_getType for every property identifier 0..255, and the names
 * in MQTTClient_getVersionInfo (not the values, which name the library).
 */
#include <stdio.h>

#include "MQTTClient.h"
#include "testutil.h"

static const char *or_null(const char *s) { return s ? s : "NULL"; }

int main(void)
{
    MQTTClient_nameValue *info;
    int i;

    check_library();
    for (i = -20; i <= 5; i++)
        printf("strerror(%d) = %s\n", i, or_null(MQTTClient_strerror(i)));
    for (i = 0; i <= 255; i++)
        printf("reasonCode %d = %s\n", i, or_null(MQTTReasonCode_toString((enum MQTTReasonCodes)i)));
    for (i = 0; i <= 255; i++)
        printf("property %d = %s type %d\n", i, or_null(MQTTPropertyName((enum MQTTPropertyCodes)i)),
               MQTTProperty_getType((enum MQTTPropertyCodes)i));
    for (info = MQTTClient_getVersionInfo(); info && info->name; info++)
        printf("versionInfo name: %s\n", info->name);
    return 0;
}
