/*
 * MQTT 5 on the async API: message properties round trip (user properties in
 * order, content type, response topic, correlation data, payload format,
 * message expiry), a subscription identifier added by the broker, the
 * onSuccess5 data of subscribe / subscribeMany / send / unsubscribe,
 * subscribe options noLocal, retainAsPublished and retainHandling 0/1/2, and
 * disconnect with reason code 4 (send the will).
 */
// link: paho-mqtt3a
#include <stdio.h>
#include <string.h>

#include "MQTTAsync.h"
#include "testutil.h"
#include "testutil_async.h"

static void fmt_props(char *buf, size_t size, const MQTTProperties *props)
{
    int i;
    size_t n = 0;
    buf[0] = '\0';
    for (i = 0; i < props->count && n + 1 < size; i++) {
        const MQTTProperty *p = &props->array[i];
        const char *name = MQTTPropertyName(p->identifier);
        switch (MQTTProperty_getType(p->identifier)) {
        case MQTTPROPERTY_TYPE_BYTE:
            n += snprintf(buf + n, size - n, " %s=%d", name, p->value.byte);
            break;
        case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER:
            n += snprintf(buf + n, size - n, " %s=%d", name, p->value.integer2);
            break;
        case MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER:
            /* The broker sends the remaining lifetime: 59 or 60. */
            if (p->identifier == MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL)
                n += snprintf(buf + n, size - n, " %s=%s", name,
                              p->value.integer4 >= 58 && p->value.integer4 <= 60 ? "58..60" : "other");
            else
                n += snprintf(buf + n, size - n, " %s=%u", name, p->value.integer4);
            break;
        case MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER:
            n += snprintf(buf + n, size - n, " %s=%u", name, p->value.integer4);
            break;
        case MQTTPROPERTY_TYPE_BINARY_DATA:
        case MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING: {
            const char *d = p->value.data.data;
            const char *pre = tu_env("MQTT_TEST_TOPIC_PREFIX");
            size_t pl = strlen(pre);
            int len = p->value.data.len, k;
            if (len > (int)pl && strncmp(d, pre, pl) == 0) { /* a topic: drop the per-run prefix */
                d += pl + 1;
                len -= (int)pl + 1;
            }
            n += snprintf(buf + n, size - n, " %s=", name);
            for (k = 0; k < len && n + 3 < size; k++)
                n += snprintf(buf + n, size - n, (d[k] >= 0x20 && d[k] < 0x7f) ? "%c" : "\\x%02x",
                              (unsigned char)d[k]);
            break;
        }
        case MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR:
            n += snprintf(buf + n, size - n, " %s=%.*s:%.*s", name, p->value.data.len, p->value.data.data,
                          p->value.value.len, p->value.value.data);
            break;
        }
        if (n >= size)
            n = size - 1;
    }
}

static int arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    char props[600];
    const char *t = strrchr(topic, '/');
    (void)topic_len;
    fmt_props(props, sizeof props, &m->properties);
    ta_event("%s arrived %s qos=%d retained=%d '%.*s'%s", (char *)ctx, t ? t + 1 : topic, m->qos, m->retained,
             m->payloadlen, (char *)m->payload, props);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static void on_ok5(void *ctx, MQTTAsync_successData5 *r)
{
    char props[300];
    fmt_props(props, sizeof props, &r->properties);
    ta_event("%s onSuccess5 token=%d reasonCode=%d props:%s", (char *)ctx, r->token, r->reasonCode, props);
}
/* subscribeMany: the reason codes are in alt.sub (read only for it). */
static void on_many5(void *ctx, MQTTAsync_successData5 *r)
{
    char codes[100] = "";
    int i, n = 0;
    for (i = 0; i < r->alt.sub.reasonCodeCount && r->alt.sub.reasonCodes; i++)
        n += snprintf(codes + n, sizeof codes - n, " %d", r->alt.sub.reasonCodes[i]);
    ta_event("%s subscribeMany onSuccess5 token=%d reasonCode=%d reasonCodeCount=%d codes:%s", (char *)ctx,
             r->token, r->reasonCode, r->alt.sub.reasonCodeCount, codes);
}
static void on_sent5(void *ctx, MQTTAsync_successData5 *r)
{
    ta_event("%s send onSuccess5 token=%d reasonCode=%d", (char *)ctx, r->token, r->reasonCode);
}
static void on_fail5(void *ctx, MQTTAsync_failureData5 *r)
{
    ta_event("%s onFailure5 token=%d code=%d reasonCode=%d", (char *)ctx, r->token, r->code, r->reasonCode);
}

static void settle(int n)
{
    ta_wait_events(n, 5000);
    tu_sleep_ms(300);
    ta_print_events_grouped("  ");
}

static MQTTAsync client(const char *name, MQTTAsync_willOptions *will)
{
    MQTTAsync c = ta_create(tu_env("MQTT_TEST_URI"), name, MQTTVERSION_5);
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer5;
    MQTTAsync_setCallbacks(c, (void *)name, NULL, arrived, NULL);
    o.will = will;
    if (ta_connect(c, &o, MQTTVERSION_5))
        tu_fail("connect %s", name);
    return c;
}

static void sub(MQTTAsync c, const char *name, const char *topic, int qos, int nolocal, int rap, int rh, int subid)
{
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    MQTTProperty p;
    int rc;
    o.context = (void *)name;
    o.onSuccess5 = on_ok5;
    o.onFailure5 = on_fail5;
    o.subscribeOptions.noLocal = (unsigned char)nolocal;
    o.subscribeOptions.retainAsPublished = (unsigned char)rap;
    o.subscribeOptions.retainHandling = (unsigned char)rh;
    if (subid) {
        p.identifier = MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER;
        p.value.integer4 = (unsigned)subid;
        MQTTProperties_add(&o.properties, &p);
    }
    rc = MQTTAsync_subscribe(c, tu_topic(topic), qos, &o);
    printf("%s subscribe %s qos=%d noLocal=%d rap=%d rh=%d subid=%d rc=%d token=%d\n", name, topic, qos, nolocal,
           rap, rh, subid, rc, o.token);
    MQTTProperties_free(&o.properties);
}

static void send5(MQTTAsync c, const char *name, const char *topic, const char *payload, int qos, int retained,
                  MQTTProperties *props)
{
    MQTTAsync_message m = MQTTAsync_message_initializer;
    MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
    int rc;
    o.context = (void *)name;
    o.onSuccess5 = on_sent5;
    o.onFailure5 = on_fail5;
    m.payload = (void *)payload;
    m.payloadlen = (int)strlen(payload);
    m.qos = qos;
    m.retained = retained;
    if (props)
        m.properties = *props;
    rc = MQTTAsync_sendMessage(c, tu_topic(topic), &m, &o);
    printf("%s send %s '%s' qos=%d retained=%d rc=%d token=%d\n", name, topic, payload, qos, retained, rc, o.token);
}

static void add_str(MQTTProperties *props, int id, const char *s, int len)
{
    MQTTProperty p;
    p.identifier = id;
    p.value.data.data = (char *)s;
    p.value.data.len = len;
    MQTTProperties_add(props, &p);
}

int main(void)
{
    MQTTAsync s, p;
    MQTTProperties props = MQTTProperties_initializer;
    MQTTProperty prop;
    char *topics[3];
    int qoss[3] = { 0, 1, 2 };

    check_library_async();
    s = client("s", NULL);
    p = client("p", NULL);

    /* Properties round trip, with a subscription identifier. */
    sub(s, "s", "props", 2, 0, 0, 0, 7);
    settle(1);
    prop.identifier = MQTTPROPERTY_CODE_USER_PROPERTY;
    prop.value.data.data = "first";
    prop.value.data.len = 5;
    prop.value.value.data = "1";
    prop.value.value.len = 1;
    MQTTProperties_add(&props, &prop);
    prop.value.data.data = "second";
    prop.value.data.len = 6;
    prop.value.value.data = "2";
    MQTTProperties_add(&props, &prop);
    prop.value.data.data = "first";
    prop.value.data.len = 5;
    prop.value.value.data = "again";
    prop.value.value.len = 5;
    MQTTProperties_add(&props, &prop);
    add_str(&props, MQTTPROPERTY_CODE_CONTENT_TYPE, "application/json", 16);
    add_str(&props, MQTTPROPERTY_CODE_RESPONSE_TOPIC, tu_topic("reply"), (int)strlen(tu_topic("reply")));
    add_str(&props, MQTTPROPERTY_CODE_CORRELATION_DATA, "\x00\x01\xff", 3);
    prop.identifier = MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL;
    prop.value.integer4 = 60;
    MQTTProperties_add(&props, &prop);
    prop.identifier = MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR;
    prop.value.byte = 1;
    MQTTProperties_add(&props, &prop);
    send5(p, "p", "props", "{}", 1, 0, &props);
    settle(2);
    MQTTProperties_free(&props);

    /* subscribeMany with mixed QoS. */
    {
        MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
        int rc;
        topics[0] = (char *)tu_topic("m0");
        topics[1] = (char *)tu_topic("m1");
        topics[2] = (char *)tu_topic("m2");
        o.context = "s";
        o.onSuccess5 = on_many5;
        o.onFailure5 = on_fail5;
        rc = MQTTAsync_subscribeMany(s, 3, topics, qoss, &o);
        printf("s subscribeMany rc=%d token=%d\n", rc, o.token);
        settle(1);
    }

    /* noLocal: p does not get its own message on "nl", does on "local". */
    sub(p, "p", "nl", 1, 1, 0, 0, 0);
    sub(p, "p", "local", 1, 0, 0, 0, 0);
    settle(2);
    send5(p, "p", "nl", "mine", 1, 0, NULL);
    send5(p, "p", "local", "mine too", 1, 0, NULL);
    settle(3);

    /* Retained message, then retainHandling 0 / 1 / 2 and retainAsPublished. */
    send5(p, "p", "ret", "kept", 1, 1, NULL);
    settle(1);
    sub(s, "s", "ret", 1, 0, 0, 2, 0);   /* never send retained */
    settle(1);
    sub(s, "s", "ret", 1, 0, 0, 1, 0);   /* only if new: it exists, so none */
    settle(1);
    sub(s, "s", "ret", 1, 0, 1, 0, 0);   /* always, retain flag as published */
    settle(2);
    send5(p, "p", "ret", "live", 1, 1, NULL); /* live: flag kept by rap=1 */
    settle(2);
    send5(p, "p", "ret", "", 1, 1, NULL);
    settle(2);

    {   /* unsubscribe onSuccess5 */
        MQTTAsync_responseOptions o = MQTTAsync_responseOptions_initializer;
        int rc;
        o.context = "s";
        o.onSuccess5 = on_ok5;
        o.onFailure5 = on_fail5;
        rc = MQTTAsync_unsubscribe(s, tu_topic("props"), &o);
        printf("s unsubscribe rc=%d token=%d\n", rc, o.token);
        settle(1);
    }

    {   /* disconnect with reason 4: the broker publishes the will */
        MQTTAsync_willOptions w = MQTTAsync_willOptions_initializer;
        MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer5;
        MQTTAsync wc;
        sub(s, "s", "will", 1, 0, 0, 0, 0);
        settle(1);
        w.topicName = tu_topic("will");
        w.message = "reason 4";
        w.qos = 1;
        wc = client("w", &w);
        d.reasonCode = MQTTREASONCODE_DISCONNECT_WITH_WILL_MESSAGE;
        d.context = "w";
        d.onSuccess5 = on_ok5;
        d.onFailure5 = on_fail5;
        printf("w disconnect reason=4 rc=%d\n", MQTTAsync_disconnect(wc, &d));
        settle(2);
        MQTTAsync_destroy(&wc);
    }
    ta_close(&p);
    ta_close(&s);
    return 0;
}
