/*
 * MQTT 5 properties round trip (differential): a publisher sends a message
 * with payload format, message expiry, content type, response topic,
 * correlation data (binary) and three user properties (one key twice); the
 * subscriber, subscribed with subscription identifier 42, prints every
 * property of the message in order from messageArrived, plus what the
 * MQTTProperties_* accessors say about them. The message expiry the broker
 * forwards may have counted down a second, so it prints as a range.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "events.h"
#include "testutil.h"

static void format_value(char *buf, size_t size, const char *data, int len, int strip_prefix)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%.*s", len, data);
    if (strip_prefix)
        snprintf(buf, size, "'%s'", tu_topic_suffix(tmp));
    else if (memchr(data, 0, (size_t)len) || (len && (unsigned char)data[0] < 0x20)) {
        int i, n = snprintf(buf, size, "hex:");
        for (i = 0; i < len && (size_t)n + 3 < size; i++)
            n += snprintf(buf + n, size - (size_t)n, "%02x", (unsigned char)data[i]);
    } else
        snprintf(buf, size, "'%s'", tmp);
}

static void add_props(const char *who, MQTTProperties *props)
{
    int i;
    for (i = 0; i < props->count; i++) {
        MQTTProperty *p = &props->array[i];
        const char *name = MQTTPropertyName(p->identifier);
        char a[256], b[256];
        switch (MQTTProperty_getType(p->identifier)) {
        case MQTTPROPERTY_TYPE_BYTE:
            ev_add("%s   %s=%d", who, name, p->value.byte);
            break;
        case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER:
            ev_add("%s   %s=%d", who, name, p->value.integer2);
            break;
        case MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER:
        case MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER:
            if (p->identifier == MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL)
                ev_add("%s   %s=%s", who, name, p->value.integer4 <= 3600 && p->value.integer4 >= 3590 ? "3590..3600" : "out of range");
            else
                ev_add("%s   %s=%u", who, name, p->value.integer4);
            break;
        case MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR:
            format_value(a, sizeof a, p->value.data.data, p->value.data.len, 0);
            format_value(b, sizeof b, p->value.value.data, p->value.value.len, 0);
            ev_add("%s   %s=%s:%s", who, name, a, b);
            break;
        default:
            format_value(a, sizeof a, p->value.data.data, p->value.data.len,
                         p->identifier == MQTTPROPERTY_CODE_RESPONSE_TOPIC);
            ev_add("%s   %s=%s", who, name, a);
        }
    }
}

static int arrived(void *ctx, char *topic, int topicLen, MQTTClient_message *m)
{
    const char *who = ctx;
    MQTTProperty *second;
    (void)topicLen;
    ev_add("%s arrived topic=%s payload='%.*s' qos=%d properties=%d", who, tu_topic_suffix(topic), m->payloadlen,
           (char *)m->payload, m->qos, m->properties.count);
    add_props(who, &m->properties);
    second = MQTTProperties_getPropertyAt(&m->properties, MQTTPROPERTY_CODE_USER_PROPERTY, 1);
    ev_add("%s   hasProperty(CONTENT_TYPE)=%d propertyCount(USER_PROPERTY)=%d getNumericValue(SUBSCRIPTION_IDENTIFIER)=%d"
           " second user property value=%.*s",
           who, MQTTProperties_hasProperty(&m->properties, MQTTPROPERTY_CODE_CONTENT_TYPE),
           MQTTProperties_propertyCount(&m->properties, MQTTPROPERTY_CODE_USER_PROPERTY),
           MQTTProperties_getNumericValue(&m->properties, MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER),
           second ? second->value.value.len : 4, second ? second->value.value.data : "NULL");
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static MQTTClient client(const char *name)
{
    MQTTClient c = NULL;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
    MQTTResponse r;
    co.MQTTVersion = MQTTVERSION_5;
    MQTTClient_createWithOptions(&c, tu_env("MQTT_TEST_URI"), tu_client_id(name), MQTTCLIENT_PERSISTENCE_NONE, NULL, &co);
    MQTTClient_setCallbacks(c, (void *)name, NULL, arrived, NULL);
    r = MQTTClient_connect5(c, &o, NULL, NULL);
    printf("%s: connect5 %d\n", name, r.reasonCode);
    MQTTResponse_free(r);
    return c;
}

static void add_int(MQTTProperties *ps, enum MQTTPropertyCodes id, int v)
{
    MQTTProperty p;
    memset(&p, 0, sizeof p);
    p.identifier = id;
    if (MQTTProperty_getType(id) == MQTTPROPERTY_TYPE_BYTE)
        p.value.byte = (unsigned char)v;
    else
        p.value.integer4 = (unsigned)v;
    printf("add %s: %d\n", MQTTPropertyName(id), MQTTProperties_add(ps, &p));
}

static void add_data(MQTTProperties *ps, enum MQTTPropertyCodes id, const char *d, int len, const char *v)
{
    MQTTProperty p;
    memset(&p, 0, sizeof p);
    p.identifier = id;
    p.value.data.data = (char *)d;
    p.value.data.len = len;
    if (v) {
        p.value.value.data = (char *)v;
        p.value.value.len = (int)strlen(v);
    }
    printf("add %s: %d\n", MQTTPropertyName(id), MQTTProperties_add(ps, &p));
}

int main(void)
{
    MQTTClient pub, sub;
    MQTTProperties subprops = MQTTProperties_initializer, props = MQTTProperties_initializer;
    MQTTSubscribe_options so = MQTTSubscribe_options_initializer;
    MQTTClient_message m = MQTTClient_message_initializer;
    MQTTClient_deliveryToken dt = 0;
    MQTTResponse r;
    const char *reply;

    check_library();
    sub = client("sub");
    pub = client("pub");

    add_int(&subprops, MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER, 42);
    r = MQTTClient_subscribe5(sub, tu_topic("props/#"), 1, &so, &subprops);
    printf("sub: subscribe5 reasonCode=%d reasonCodeCount=%d\n", r.reasonCode, r.reasonCodeCount);
    MQTTResponse_free(r);

    reply = tu_topic("props/reply");
    add_int(&props, MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR, 1);
    add_int(&props, MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL, 3600);
    add_data(&props, MQTTPROPERTY_CODE_CONTENT_TYPE, "text/plain", 10, NULL);
    add_data(&props, MQTTPROPERTY_CODE_RESPONSE_TOPIC, reply, (int)strlen(reply), NULL);
    add_data(&props, MQTTPROPERTY_CODE_CORRELATION_DATA, "\x01\x00\x02", 3, NULL);
    add_data(&props, MQTTPROPERTY_CODE_USER_PROPERTY, "a", 1, "1");
    add_data(&props, MQTTPROPERTY_CODE_USER_PROPERTY, "b", 1, "x");
    add_data(&props, MQTTPROPERTY_CODE_USER_PROPERTY, "a", 1, "2");
    /* length includes the response topic, whose prefix differs per run */
    printf("pub: properties count=%d length-minus-response-topic=%d\n", props.count, props.length - (int)strlen(reply));

    m.payload = "hello";
    m.payloadlen = 5;
    m.qos = 1;
    m.properties = props;
    r = MQTTClient_publishMessage5(pub, tu_topic("props/t"), &m, &dt);
    printf("pub: publishMessage5 reasonCode=%d token=%d\n", r.reasonCode, dt);
    MQTTResponse_free(r);
    printf("pub: waitForCompletion %d\n", MQTTClient_waitForCompletion(pub, dt, 5000));

    /* publish5 with no properties: the subscriber still sees the
     * subscription identifier the broker adds. */
    r = MQTTClient_publish5(pub, tu_topic("props/plain"), 5, "plain", 1, 0, NULL, &dt);
    printf("pub: publish5 reasonCode=%d token=%d\n", r.reasonCode, dt);
    MQTTResponse_free(r);
    printf("pub: waitForCompletion %d\n", MQTTClient_waitForCompletion(pub, dt, 5000));

    /* 11 lines for the first message (arrival, 9 properties, accessors), 3
     * for the second; fewer means something is missing, which the diff shows. */
    ev_wait(14, 5000);
    ev_flush("");

    MQTTProperties_free(&props);
    MQTTProperties_free(&subprops);
    MQTTClient_disconnect5(pub, 1000, MQTTREASONCODE_SUCCESS, NULL);
    MQTTClient_disconnect5(sub, 1000, MQTTREASONCODE_SUCCESS, NULL);
    MQTTClient_destroy(&pub);
    MQTTClient_destroy(&sub);
    return 0;
}
