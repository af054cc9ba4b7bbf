/*
 * Exercises the MQTTProperties functions and prints every observable result, one per
 * line, without pointers. test_properties.sh runs it against Debian's Paho and against
 * ours and diffs the output. Which library was loaded goes to stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"

/* Paho's allocator needs a client to exist before a property array can grow; ours does
 * not care, and may not have MQTTClient_create yet, so it is optional. */
#pragma weak MQTTClient_create
#pragma weak MQTTClient_destroy

static void show(const char* what, const MQTTProperties* p)
{
	printf("%s: count=%d max_count=%d length=%d array=%s\n", what, p->count, p->max_count,
		p->length, p->array ? "set" : "NULL");
}

static void print_len_string(const MQTTLenString* s)
{
	int i;
	printf("[%d]", s->len);
	for (i = 0; i < s->len; i++)
		printf("%02x", (unsigned char)s->data[i]);
}

static void show_entry(const MQTTProperties* list, const MQTTProperty* p)
{
	int type = MQTTProperty_getType(p->identifier);
	printf("  #%ld id=%d type=%d ", (long)(p - list->array), p->identifier, type);
	switch (type)
	{
	case MQTTPROPERTY_TYPE_BYTE: printf("byte=%u", p->value.byte); break;
	case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER: printf("int2=%u", p->value.integer2); break;
	case MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER:
	case MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER: printf("int4=%u", p->value.integer4); break;
	case MQTTPROPERTY_TYPE_BINARY_DATA:
	case MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING: print_len_string(&p->value.data); break;
	case MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR:
		print_len_string(&p->value.data); printf(" = "); print_len_string(&p->value.value); break;
	}
	printf("\n");
}

static void show_all(const char* what, const MQTTProperties* list)
{
	int i;
	show(what, list);
	for (i = 0; i < list->count; i++)
		show_entry(list, &list->array[i]);
}

static MQTTProperty integer(int id, unsigned v)
{
	MQTTProperty p;
	memset(&p, 0, sizeof p);
	p.identifier = (enum MQTTPropertyCodes)id;
	switch (MQTTProperty_getType(p.identifier))
	{
	case MQTTPROPERTY_TYPE_BYTE: p.value.byte = (unsigned char)v; break;
	case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER: p.value.integer2 = (unsigned short)v; break;
	default: p.value.integer4 = v; break;
	}
	return p;
}

static MQTTProperty text(int id, const char* data, int len, const char* value, int vlen)
{
	MQTTProperty p;
	memset(&p, 0, sizeof p);
	p.identifier = (enum MQTTPropertyCodes)id;
	p.value.data.data = (char*)data;
	p.value.data.len = len;
	p.value.value.data = (char*)value;
	p.value.value.len = vlen;
	return p;
}

int main(void)
{
	MQTTClient client = NULL;
	MQTTProperties list = MQTTProperties_initializer;
	MQTTProperties copy, empty = MQTTProperties_initializer;
	MQTTProperty p;
	Dl_info info;
	int i, id, rc;
	static const int unknown[] = { 0, 4, 10, 20, 27, 43, 99, 255, 256, 1000, -1 };
	static const unsigned vbis[] = { 0, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 0xffffffffu };

	if (dladdr((void*)MQTTProperties_add, &info) && info.dli_fname)
		fprintf(stderr, "library: %s\n", info.dli_fname);
	if (MQTTClient_create)
		MQTTClient_create(&client, "tcp://localhost:1883", "props", MQTTCLIENT_PERSISTENCE_NONE, NULL);

	printf("== names, types and reason code texts\n");
	for (id = -1; id < 300; id++)
	{
		const char* name = MQTTPropertyName((enum MQTTPropertyCodes)id);
		const char* reason = MQTTReasonCode_toString((enum MQTTReasonCodes)id);
		int type = MQTTProperty_getType((enum MQTTPropertyCodes)id);
		if (name || type != -1)
			printf("property %d %s type %d\n", id, name ? name : "(null)", type);
		if (reason)
			printf("reason %d %s\n", id, reason);
	}

	printf("== add: each type, repeats, unknown identifiers\n");
	p = integer(MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR, 1);
	printf("add byte: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	printf("add byte again: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	p = integer(MQTTPROPERTY_CODE_TOPIC_ALIAS, 65535);
	printf("add int2: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	p = integer(MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL, 0xfffffffeu);
	printf("add int4: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	for (i = 0; i < (int)(sizeof vbis / sizeof vbis[0]); i++)
	{
		p = integer(MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER, vbis[i]);
		printf("add vbi %u: %d\n", vbis[i], MQTTProperties_add(&list, &p)); show("list", &list);
	}
	for (i = 0; i < (int)(sizeof unknown / sizeof unknown[0]); i++)
	{
		p = integer(unknown[i], 1);
		printf("add unknown %d: %d\n", unknown[i], MQTTProperties_add(&list, &p)); show("list", &list);
	}
	p = text(MQTTPROPERTY_CODE_CORRELATION_DATA, "a\0b\xff", 4, NULL, 0);
	printf("add binary: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	p = text(MQTTPROPERTY_CODE_CONTENT_TYPE, "text/plain", 10, NULL, 0);
	printf("add string: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	p = text(MQTTPROPERTY_CODE_REASON_STRING, "", 0, NULL, 0);
	printf("add empty string: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	p = text(MQTTPROPERTY_CODE_RESPONSE_TOPIC, "reply/to", 8, NULL, 0);
	printf("add string again: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	for (i = 0; i < 6; i++)
	{
		char key[8], value[8];
		snprintf(key, sizeof key, "k%d", i);
		snprintf(value, sizeof value, "value%d", i);
		p = text(MQTTPROPERTY_CODE_USER_PROPERTY, key, (int)strlen(key), value, (int)strlen(value));
		printf("add pair %d: %d\n", i, MQTTProperties_add(&list, &p)); show("list", &list);
	}
	p = text(MQTTPROPERTY_CODE_USER_PROPERTY, "", 0, "", 0);
	printf("add empty pair: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	show_all("full list", &list);

	printf("== getters\n");
	for (id = 0; id < 45; id++)
	{
		printf("id %d: has=%d count=%d num=%d", id,
			MQTTProperties_hasProperty(&list, (enum MQTTPropertyCodes)id),
			MQTTProperties_propertyCount(&list, (enum MQTTPropertyCodes)id),
			MQTTProperties_getNumericValue(&list, (enum MQTTPropertyCodes)id));
		for (i = -2; i < 10; i++)
		{
			MQTTProperty* q = MQTTProperties_getPropertyAt(&list, (enum MQTTPropertyCodes)id, i);
			printf(" at%d=%d/%ld", i, MQTTProperties_getNumericValueAt(&list, (enum MQTTPropertyCodes)id, i),
				q ? (long)(q - list.array) : -1L);
		}
		{
			MQTTProperty* q = MQTTProperties_getProperty(&list, (enum MQTTPropertyCodes)id);
			printf(" first=%ld\n", q ? (long)(q - list.array) : -1L);
		}
	}

	printf("== the list owns copies of the data\n");
	{
		char buf[4] = { 'x', 'y', 'z', 0 };
		p = text(MQTTPROPERTY_CODE_AUTHENTICATION_METHOD, buf, 3, NULL, 0);
		rc = MQTTProperties_add(&list, &p);
		buf[0] = 'X';
		printf("add then change source: %d, stored %.3s, same buffer %d\n", rc,
			list.array[list.count - 1].value.data.data,
			list.array[list.count - 1].value.data.data == buf);
	}

	printf("== copy\n");
	copy = MQTTProperties_copy(&list);
	show_all("copy", &copy);
	printf("copy shares array %d, shares string %d\n", copy.array == list.array,
		copy.array[21].value.data.data == list.array[21].value.data.data);
	MQTTProperties_free(&copy);
	show("copy after free", &copy);
	copy = MQTTProperties_copy(&empty);
	show("copy of empty", &copy);
	MQTTProperties_free(&copy);

	printf("== free\n");
	MQTTProperties_free(&list);
	show("after free", &list);
	MQTTProperties_free(&list);
	show("after second free", &list);
	MQTTProperties_free(NULL);
	printf("free(NULL) returned\n");
	p = integer(MQTTPROPERTY_CODE_RECEIVE_MAXIMUM, 10);
	printf("add after free: %d\n", MQTTProperties_add(&list, &p)); show("list", &list);
	MQTTProperties_free(&list);

	printf("== growth\n");
	for (i = 0; i < 35; i++)
	{
		p = integer(MQTTPROPERTY_CODE_USER_PROPERTY == i ? 1 : MQTTPROPERTY_CODE_MAXIMUM_QOS, (unsigned)i);
		rc = MQTTProperties_add(&list, &p);
		printf("%d:%d/%d/%d/%d ", i, rc, list.count, list.max_count, list.length);
	}
	printf("\n");
	printf("num at 34: %d\n", MQTTProperties_getNumericValueAt(&list, MQTTPROPERTY_CODE_MAXIMUM_QOS, 34));
	MQTTProperties_free(&list);

	printf("== MQTTResponse_free\n");
	{
		MQTTResponse r = MQTTResponse_initializer;
		MQTTResponse_free(r);
		printf("empty response freed\n");
		/* A full one: under valgrind (ours) this shows the by-value struct is read right. */
		r.reasonCodeCount = 2;
		r.reasonCodes = (enum MQTTReasonCodes*)malloc(2 * sizeof(enum MQTTReasonCodes));
		r.properties = (MQTTProperties*)malloc(sizeof(MQTTProperties));
		if (r.reasonCodes && r.properties)
		{
			MQTTProperties empty_list = MQTTProperties_initializer;
			*r.properties = empty_list;
			p = text(MQTTPROPERTY_CODE_REASON_STRING, "why", 3, NULL, 0);
			MQTTProperties_add(r.properties, &p);
			p = text(MQTTPROPERTY_CODE_USER_PROPERTY, "a", 1, "b", 1);
			MQTTProperties_add(r.properties, &p);
			MQTTResponse_free(r);
			printf("full response freed\n");
		}
	}

	if (client && MQTTClient_destroy)
		MQTTClient_destroy(&client);
	printf("== done\n");
	return 0;
}
