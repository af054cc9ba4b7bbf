/*
 * Compile-time check of the public headers: every initializer macro is used and every
 * public function is referenced, so a missing or mistyped declaration fails the build.
 * Compiled as C99, C11, C++11 and C++17 with -Wall -Wextra -Werror by test_headers.sh.
 */
#include <stdio.h>
#include <string.h>

#include "MQTTClient.h"
#include "MQTTAsync.h"

typedef void (*any_fn)(void);

/* Keeps the compiler from calling a local unused and checks it was filled in. */
static unsigned sum_bytes(const void* p, size_t n)
{
	const unsigned char* b = (const unsigned char*)p;
	unsigned s = 0;
	size_t i;
	for (i = 0; i < n; i++)
		s += b[i];
	return s;
}

#define USE(v) total += sum_bytes(&(v), sizeof(v))

int main(void)
{
	unsigned total = 0;

	/* MQTTProperties.h, MQTTSubscribeOpts.h */
	MQTTProperties props = MQTTProperties_initializer;
	MQTTSubscribe_options subopts = MQTTSubscribe_options_initializer;
	MQTTLenString ls = { 0, NULL };
	MQTTProperty prop;
	MQTTClient_persistence pers;
	/* MQTTClient.h */
	MQTTClient_init_options cinit = MQTTClient_init_options_initializer;
	MQTTClient_message cmsg = MQTTClient_message_initializer;
	MQTTClient_createOptions ccreate = MQTTClient_createOptions_initializer;
	MQTTClient_willOptions cwill = MQTTClient_willOptions_initializer;
	MQTTClient_SSLOptions cssl = MQTTClient_SSLOptions_initializer;
	MQTTClient_connectOptions cconn = MQTTClient_connectOptions_initializer;
	MQTTClient_connectOptions cconn5 = MQTTClient_connectOptions_initializer5;
	MQTTClient_connectOptions cconnws = MQTTClient_connectOptions_initializer_ws;
	MQTTClient_connectOptions cconn5ws = MQTTClient_connectOptions_initializer5_ws;
	MQTTResponse resp = MQTTResponse_initializer;
	MQTTClient_nameValue cnv = { NULL, NULL };
	/* MQTTAsync.h */
	MQTTAsync_init_options ainit = MQTTAsync_init_options_initializer;
	MQTTAsync_message amsg = MQTTAsync_message_initializer;
	MQTTAsync_connectData acd = MQTTAsync_connectData_initializer;
	MQTTAsync_failureData afd = { 0, 0, NULL };
	MQTTAsync_failureData5 afd5 = MQTTAsync_failureData5_initializer;
	MQTTAsync_successData asd;
	MQTTAsync_successData5 asd5 = MQTTAsync_successData5_initializer;
	MQTTAsync_responseOptions aresp = MQTTAsync_responseOptions_initializer;
	MQTTAsync_callOptions acall = MQTTAsync_callOptions_initializer;
	MQTTAsync_createOptions acreate = MQTTAsync_createOptions_initializer;
	MQTTAsync_createOptions acreate5 = MQTTAsync_createOptions_initializer5;
	MQTTAsync_willOptions awill = MQTTAsync_willOptions_initializer;
	MQTTAsync_SSLOptions assl = MQTTAsync_SSLOptions_initializer;
	MQTTAsync_nameValue anv = { NULL, NULL };
	MQTTAsync_connectOptions aconn = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions aconn5 = MQTTAsync_connectOptions_initializer5;
	MQTTAsync_connectOptions aconnws = MQTTAsync_connectOptions_initializer_ws;
	MQTTAsync_connectOptions aconn5ws = MQTTAsync_connectOptions_initializer5_ws;
	MQTTAsync_disconnectOptions adisc = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions adisc5 = MQTTAsync_disconnectOptions_initializer5;
	/* Handle and token typedefs, enums and function typedefs. */
	MQTTClient ch = NULL;
	MQTTClient_deliveryToken cdt = 0;
	MQTTClient_token ctok = 0;
	MQTTAsync ah = NULL;
	MQTTAsync_token atok = 0;
	enum MQTTPropertyCodes pc = MQTTPROPERTY_CODE_USER_PROPERTY;
	enum MQTTPropertyTypes pt = MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR;
	enum MQTTReasonCodes rc = MQTTREASONCODE_WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
	enum MQTTCLIENT_TRACE_LEVELS ctl = MQTTCLIENT_TRACE_FATAL;
	enum MQTTASYNC_TRACE_LEVELS atl = MQTTASYNC_TRACE_FATAL;
	MQTTClient_messageArrived* f1 = NULL;
	MQTTClient_deliveryComplete* f2 = NULL;
	MQTTClient_connectionLost* f3 = NULL;
	MQTTClient_disconnected* f4 = NULL;
	MQTTClient_published* f5 = NULL;
	MQTTClient_traceCallback* f6 = NULL;
	MQTTAsync_messageArrived* g1 = NULL;
	MQTTAsync_deliveryComplete* g2 = NULL;
	MQTTAsync_connectionLost* g3 = NULL;
	MQTTAsync_connected* g4 = NULL;
	MQTTAsync_disconnected* g5 = NULL;
	MQTTAsync_updateConnectOptions* g6 = NULL;
	MQTTAsync_onSuccess* g7 = NULL;
	MQTTAsync_onSuccess5* g8 = NULL;
	MQTTAsync_onFailure* g9 = NULL;
	MQTTAsync_onFailure5* g10 = NULL;
	MQTTAsync_traceCallback* g11 = NULL;
	MQTTPersistence_beforeWrite* p1 = NULL;
	MQTTPersistence_afterRead* p2 = NULL;
	Persistence_open po = NULL;
	Persistence_close pcl = NULL;
	Persistence_put pp = NULL;
	Persistence_get pg = NULL;
	Persistence_remove pr = NULL;
	Persistence_keys pk = NULL;
	Persistence_clear pcr = NULL;
	Persistence_containskey pck = NULL;
	int constants[] = {
		MQTTCLIENT_SUCCESS, MQTTCLIENT_FAILURE, MQTTCLIENT_PERSISTENCE_ERROR, MQTTCLIENT_DISCONNECTED,
		MQTTCLIENT_MAX_MESSAGES_INFLIGHT, MQTTCLIENT_BAD_UTF8_STRING, MQTTCLIENT_NULL_PARAMETER,
		MQTTCLIENT_TOPICNAME_TRUNCATED, MQTTCLIENT_BAD_STRUCTURE, MQTTCLIENT_BAD_QOS,
		MQTTCLIENT_SSL_NOT_SUPPORTED, MQTTCLIENT_BAD_MQTT_VERSION, MQTTCLIENT_BAD_PROTOCOL,
		MQTTCLIENT_BAD_MQTT_OPTION, MQTTCLIENT_WRONG_MQTT_VERSION, MQTTCLIENT_0_LEN_WILL_TOPIC,
		MQTTASYNC_SUCCESS, MQTTASYNC_FAILURE, MQTTASYNC_PERSISTENCE_ERROR, MQTTASYNC_DISCONNECTED,
		MQTTASYNC_MAX_MESSAGES_INFLIGHT, MQTTASYNC_BAD_UTF8_STRING, MQTTASYNC_NULL_PARAMETER,
		MQTTASYNC_TOPICNAME_TRUNCATED, MQTTASYNC_BAD_STRUCTURE, MQTTASYNC_BAD_QOS,
		MQTTASYNC_NO_MORE_MSGIDS, MQTTASYNC_OPERATION_INCOMPLETE, MQTTASYNC_MAX_BUFFERED_MESSAGES,
		MQTTASYNC_SSL_NOT_SUPPORTED, MQTTASYNC_BAD_PROTOCOL, MQTTASYNC_BAD_MQTT_OPTION,
		MQTTASYNC_WRONG_MQTT_VERSION, MQTTASYNC_0_LEN_WILL_TOPIC, MQTTASYNC_COMMAND_IGNORED,
		MQTTASYNC_MAX_BUFFERED, MQTTASYNC_TRUE, MQTTVERSION_DEFAULT, MQTTVERSION_3_1,
		MQTTVERSION_3_1_1, MQTTVERSION_5, MQTT_BAD_SUBSCRIBE, MQTT_SSL_VERSION_DEFAULT,
		MQTT_SSL_VERSION_TLS_1_0, MQTT_SSL_VERSION_TLS_1_1, MQTT_SSL_VERSION_TLS_1_2,
		MQTTCLIENT_PERSISTENCE_DEFAULT, MQTTCLIENT_PERSISTENCE_NONE, MQTTCLIENT_PERSISTENCE_USER,
		MQTT_INVALID_PROPERTY_ID,
	};
	/* Every public function, by address. */
	any_fn fns[] = {
		(any_fn)MQTTPropertyName, (any_fn)MQTTProperty_getType, (any_fn)MQTTProperties_add,
		(any_fn)MQTTProperties_free, (any_fn)MQTTProperties_copy, (any_fn)MQTTProperties_hasProperty,
		(any_fn)MQTTProperties_propertyCount, (any_fn)MQTTProperties_getNumericValue,
		(any_fn)MQTTProperties_getNumericValueAt, (any_fn)MQTTProperties_getProperty,
		(any_fn)MQTTProperties_getPropertyAt, (any_fn)MQTTReasonCode_toString,
		(any_fn)MQTTClient_global_init, (any_fn)MQTTClient_setCallbacks, (any_fn)MQTTClient_setDisconnected,
		(any_fn)MQTTClient_setPublished, (any_fn)MQTTClient_create, (any_fn)MQTTClient_createWithOptions,
		(any_fn)MQTTClient_getVersionInfo, (any_fn)MQTTClient_connect, (any_fn)MQTTResponse_free,
		(any_fn)MQTTClient_connect5, (any_fn)MQTTClient_disconnect, (any_fn)MQTTClient_disconnect5,
		(any_fn)MQTTClient_isConnected, (any_fn)MQTTClient_subscribe, (any_fn)MQTTClient_subscribe5,
		(any_fn)MQTTClient_subscribeMany, (any_fn)MQTTClient_subscribeMany5, (any_fn)MQTTClient_unsubscribe,
		(any_fn)MQTTClient_unsubscribe5, (any_fn)MQTTClient_unsubscribeMany,
		(any_fn)MQTTClient_unsubscribeMany5, (any_fn)MQTTClient_publish, (any_fn)MQTTClient_publish5,
		(any_fn)MQTTClient_publishMessage, (any_fn)MQTTClient_publishMessage5,
		(any_fn)MQTTClient_waitForCompletion, (any_fn)MQTTClient_getPendingDeliveryTokens,
		(any_fn)MQTTClient_yield, (any_fn)MQTTClient_receive, (any_fn)MQTTClient_freeMessage,
		(any_fn)MQTTClient_free, (any_fn)MQTTClient_destroy, (any_fn)MQTTClient_setTraceLevel,
		(any_fn)MQTTClient_setTraceCallback, (any_fn)MQTTClient_setCommandTimeout,
		(any_fn)MQTTClient_strerror,
		(any_fn)MQTTAsync_global_init, (any_fn)MQTTAsync_setDisconnected,
		(any_fn)MQTTAsync_setUpdateConnectOptions, (any_fn)MQTTAsync_setBeforePersistenceWrite,
		(any_fn)MQTTAsync_setAfterPersistenceRead, (any_fn)MQTTAsync_setCallbacks,
		(any_fn)MQTTAsync_setConnectionLostCallback, (any_fn)MQTTAsync_setMessageArrivedCallback,
		(any_fn)MQTTAsync_setDeliveryCompleteCallback, (any_fn)MQTTAsync_setConnected,
		(any_fn)MQTTAsync_reconnect, (any_fn)MQTTAsync_create, (any_fn)MQTTAsync_createWithOptions,
		(any_fn)MQTTAsync_connect, (any_fn)MQTTAsync_disconnect, (any_fn)MQTTAsync_isConnected,
		(any_fn)MQTTAsync_subscribe, (any_fn)MQTTAsync_subscribeMany, (any_fn)MQTTAsync_unsubscribe,
		(any_fn)MQTTAsync_unsubscribeMany, (any_fn)MQTTAsync_send, (any_fn)MQTTAsync_sendMessage,
		(any_fn)MQTTAsync_getPendingTokens, (any_fn)MQTTAsync_isComplete,
		(any_fn)MQTTAsync_waitForCompletion, (any_fn)MQTTAsync_freeMessage, (any_fn)MQTTAsync_free,
		(any_fn)MQTTAsync_malloc, (any_fn)MQTTAsync_destroy, (any_fn)MQTTAsync_setTraceLevel,
		(any_fn)MQTTAsync_setTraceCallback, (any_fn)MQTTAsync_getVersionInfo, (any_fn)MQTTAsync_strerror,
	};
	size_t i, nonnull = 0;

	memset(&prop, 0, sizeof(prop));
	prop.identifier = pc;
	prop.value.byte = 1;
	prop.value.integer2 = 2;
	prop.value.integer4 = 4;
	prop.value.data = ls;
	prop.value.value = ls;
	memset(&pers, 0, sizeof(pers));
	pers.popen = po; pers.pclose = pcl; pers.pput = pp; pers.pget = pg;
	pers.premove = pr; pers.pkeys = pk; pers.pclear = pcr; pers.pcontainskey = pck;
	memset(&asd, 0, sizeof(asd));
	asd.alt.qos = 1;
	asd.alt.pub.destinationName = NULL;
	asd.alt.connect.sessionPresent = 0;
	asd5.alt.unsub.reasonCodeCount = 0;
	cconn.returned.sessionPresent = 0;
	cconn.binarypwd.len = 0;
	cwill.payload.len = 0;

	USE(props); USE(subopts); USE(prop); USE(pers);
	USE(cinit); USE(cmsg); USE(ccreate); USE(cwill); USE(cssl);
	USE(cconn); USE(cconn5); USE(cconnws); USE(cconn5ws); USE(resp); USE(cnv);
	USE(ainit); USE(amsg); USE(acd); USE(afd); USE(afd5); USE(asd); USE(asd5);
	USE(aresp); USE(acall); USE(acreate); USE(acreate5); USE(awill); USE(assl); USE(anv);
	USE(aconn); USE(aconn5); USE(aconnws); USE(aconn5ws); USE(adisc); USE(adisc5);
	USE(ch); USE(cdt); USE(ctok); USE(ah); USE(atok); USE(pc); USE(pt); USE(rc); USE(ctl); USE(atl);
	USE(f1); USE(f2); USE(f3); USE(f4); USE(f5); USE(f6);
	USE(g1); USE(g2); USE(g3); USE(g4); USE(g5); USE(g6); USE(g7); USE(g8); USE(g9); USE(g10); USE(g11);
	USE(p1); USE(p2); USE(constants);

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (fns[i] != NULL)
			nonnull++;
	printf("%u %u\n", total, (unsigned)nonnull);
	return 0;
}
