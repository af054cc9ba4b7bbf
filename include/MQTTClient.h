/*
 * SPDX-License-Identifier: EPL-2.0 OR BSD-3-Clause
 *
 * paho-mqtt-c-rs: a Rust implementation of the Eclipse Paho MQTT C client API.
 *
 * The synchronous client (libpaho-mqtt3c, and libpaho-mqtt3cs with TLS).
 *
 * Calls block until their work is done or a timeout passes. A client may be used
 * with callbacks (MQTTClient_setCallbacks: messages arrive on a library thread) or
 * without (the application calls MQTTClient_receive or MQTTClient_yield).
 *
 * Unlike Paho, this implementation allows every API call from inside every callback.
 *
 * Options structs start with a four-character struct_id and a struct_version; always
 * start from the matching _initializer macro so both are right. The library reads no
 * field beyond the version given.
 *
 * Anything the library hands to the application (messages, topic names, token lists,
 * properties) is allocated with malloc and may be released with free() or the
 * matching MQTTClient_free* call.
 */
#if !defined(MQTTCLIENT_H)
#define MQTTCLIENT_H

#if defined(__cplusplus)
 extern "C" {
#endif

#include <stdio.h>

#include "MQTTExportDeclarations.h"

#include "MQTTProperties.h"
#include "MQTTReasonCodes.h"
#include "MQTTSubscribeOpts.h"
#if !defined(NO_PERSISTENCE)
#include "MQTTClientPersistence.h"
#endif

/** The call succeeded. */
#define MQTTCLIENT_SUCCESS 0
/** A failure not covered by a more specific code. */
#define MQTTCLIENT_FAILURE -1

/* -2 is MQTTCLIENT_PERSISTENCE_ERROR, from MQTTClientPersistence.h */

/** The client is not connected. */
#define MQTTCLIENT_DISCONNECTED -3
/** Too many QoS 1/2 messages are in flight. */
#define MQTTCLIENT_MAX_MESSAGES_INFLIGHT -4
/** A string is not valid UTF-8 as MQTT defines it. */
#define MQTTCLIENT_BAD_UTF8_STRING -5
/** A pointer argument that may not be NULL was NULL. */
#define MQTTCLIENT_NULL_PARAMETER -6
/** The topic name contains a NUL byte; use topicLen to read it whole. Not an error. */
#define MQTTCLIENT_TOPICNAME_TRUNCATED -7
/** A struct has the wrong struct_id or a struct_version this library does not know. */
#define MQTTCLIENT_BAD_STRUCTURE -8
/** A QoS other than 0, 1 or 2. */
#define MQTTCLIENT_BAD_QOS -9
/** A TLS URI or option was used with a library built without TLS. */
#define MQTTCLIENT_SSL_NOT_SUPPORTED -10
 /** An MQTTVersion that is not one of the MQTTVERSION_ values. */
 #define MQTTCLIENT_BAD_MQTT_VERSION -11
/** The URI scheme is not tcp://, mqtt://, ssl://, mqtts://, ws://, wss:// or unix://. */
#define MQTTCLIENT_BAD_PROTOCOL -14
 /** An option that does not apply to the MQTT version in use. */
 #define MQTTCLIENT_BAD_MQTT_OPTION -15
 /** An MQTT 5 call on a 3.x client, or a 3.x call where MQTT 5 is required. */
 #define MQTTCLIENT_WRONG_MQTT_VERSION -16
 /** A will with an empty topic. */
 #define MQTTCLIENT_0_LEN_WILL_TOPIC -17

/** Try MQTT 3.1.1 first, then 3.1 if the server refuses it. */
#define MQTTVERSION_DEFAULT 0
/** MQTT 3.1 */
#define MQTTVERSION_3_1 3
/** MQTT 3.1.1 */
#define MQTTVERSION_3_1_1 4
 /** MQTT 5 */
 #define MQTTVERSION_5 5
/** The granted QoS a 3.1.1 server returns for a refused subscription. */
#define MQTT_BAD_SUBSCRIBE 0x80

/** Options for MQTTClient_global_init. */
typedef struct
{
	/** Always "MQTG". */
	char struct_id[4];
	/** Always 0. */
	int struct_version;
	/** 1 if the library should initialise OpenSSL, 0 if the application already has. */
	int do_openssl_init;
} MQTTClient_init_options;

#define MQTTClient_init_options_initializer { {'M', 'Q', 'T', 'G'}, 0, 0 }

/**
 * Process-wide set-up. Optional; call it before creating clients if at all.
 */
LIBMQTT_API void MQTTClient_global_init(MQTTClient_init_options* inits);

/** A client handle, filled in by MQTTClient_create. */
typedef void* MQTTClient;
/** Identifies a QoS 1 or 2 publish until it completes. */
typedef int MQTTClient_deliveryToken;
/** Same as MQTTClient_deliveryToken. */
typedef int MQTTClient_token;

/** A message: payload plus attributes. */
typedef struct
{
	/** Always "MQTM". */
	char struct_id[4];
	/** 0, or 1 when properties is present. */
	int struct_version;
	/** Payload size in bytes. */
	int payloadlen;
	/** The payload; any bytes. */
	void* payload;
	/** 0 at most once, 1 at least once, 2 exactly once. */
	int qos;
	/**
	 * On publish: ask the server to keep this as the topic's retained message.
	 * On receipt: set if the message was retained (or as the publisher set it with
	 * MQTT 5 retainAsPublished).
	 */
	int retained;
	/** On receipt: set when this may be a repeat of an earlier delivery. */
	int dup;
	/** Packet identifier of a received message; for information only. */
	int msgid;
	/** MQTT 5 properties (struct_version 1). */
	MQTTProperties properties;
} MQTTClient_message;

#define MQTTClient_message_initializer { {'M', 'Q', 'T', 'M'}, 1, 0, NULL, 0, 0, 0, 0, MQTTProperties_initializer }

/**
 * Called on a library thread for each incoming message.
 * @param topicName the topic; NUL-terminated. Free it with MQTTClient_free.
 * @param topicLen 0 unless the topic holds a NUL byte, in which case its full length
 * @param message free it with MQTTClient_freeMessage
 * @return nonzero when the message has been taken care of; 0 to have it offered again later
 */
typedef int MQTTClient_messageArrived(void* context, char* topicName, int topicLen, MQTTClient_message* message);

/**
 * Called when the server has acknowledged a QoS 1 publish or completed a QoS 2 one.
 */
typedef void MQTTClient_deliveryComplete(void* context, MQTTClient_deliveryToken dt);

/**
 * Called when an established connection is lost.
 * @param cause a description, or NULL
 */
typedef void MQTTClient_connectionLost(void* context, char* cause);

/**
 * Installs the callbacks, switching the client to callback mode. Only while disconnected.
 * Any callback may be NULL; without messageArrived, messages are fetched with MQTTClient_receive.
 * @return MQTTCLIENT_SUCCESS, or MQTTCLIENT_FAILURE if the client is connected or the handle is bad
 */
LIBMQTT_API int MQTTClient_setCallbacks(MQTTClient handle, void* context, MQTTClient_connectionLost* cl,
									MQTTClient_messageArrived* ma, MQTTClient_deliveryComplete* dc);

/**
 * Called when an MQTT 5 server sends DISCONNECT.
 * @param properties the DISCONNECT properties
 * @param reasonCode the DISCONNECT reason code
 */
typedef void MQTTClient_disconnected(void* context, MQTTProperties* properties,
		enum MQTTReasonCodes reasonCode);

/**
 * Installs the callback for a server-sent DISCONNECT (MQTT 5).
 */
LIBMQTT_API int MQTTClient_setDisconnected(MQTTClient handle, void* context, MQTTClient_disconnected* co);

/**
 * Called for each acknowledgement of a QoS 1 or 2 publish, with its MQTT 5 details.
 * @param dt the delivery token
 * @param packet_type the acknowledging packet (PUBACK, PUBREC or PUBCOMP)
 */
typedef void MQTTClient_published(void* context, int dt, int packet_type, MQTTProperties* properties,
		enum MQTTReasonCodes reasonCode);

/**
 * Installs the per-acknowledgement callback (MQTT 5).
 */
LIBMQTT_API int MQTTClient_setPublished(MQTTClient handle, void* context, MQTTClient_published* co);

/**
 * Makes a client for one server and client identifier. Does not connect.
 * @param handle receives the new client
 * @param serverURI protocol://host:port, e.g. tcp://localhost:1883
 * @param clientId UTF-8 client identifier
 * @param persistence_type one of the MQTTCLIENT_PERSISTENCE_ values
 * @param persistence_context directory for DEFAULT, MQTTClient_persistence* for USER
 * @return MQTTCLIENT_SUCCESS or an error code
 */
LIBMQTT_API int MQTTClient_create(MQTTClient* handle, const char* serverURI, const char* clientId,
		int persistence_type, void* persistence_context);

/** Extra options for MQTTClient_createWithOptions. */
typedef struct
{
	/** Always "MQCO". */
	char struct_id[4];
	/** Always 0. */
	int struct_version;
	/** MQTT version this client will speak; MQTTVERSION_5 is needed for the 5 calls. */
	int MQTTVersion;
} MQTTClient_createOptions;

#define MQTTClient_createOptions_initializer { {'M', 'Q', 'C', 'O'}, 0, MQTTVERSION_DEFAULT }

/**
 * MQTTClient_create with additional options.
 */
LIBMQTT_API int MQTTClient_createWithOptions(MQTTClient* handle, const char* serverURI, const char* clientId,
		int persistence_type, void* persistence_context, MQTTClient_createOptions* options);

/** The last-will message the server publishes if the client vanishes. */
typedef struct
{
	/** Always "MQTW". */
	char struct_id[4];
	/** 0, or 1 when payload is present. */
	int struct_version;
	/** Will topic. */
	const char* topicName;
	/** Will payload as a NUL-terminated string; used when payload.data is NULL. */
	const char* message;
	/** Retain flag of the will. */
	int retained;
	/** QoS of the will. */
	int qos;
	/** Binary will payload (struct_version 1). */
	struct
	{
		int len;            /**< byte count */
		const void* data;   /**< the bytes */
	} payload;
} MQTTClient_willOptions;

#define MQTTClient_willOptions_initializer { {'M', 'Q', 'T', 'W'}, 1, NULL, NULL, 0, 0, {0, NULL} }

/** Let the TLS library choose. */
#define MQTT_SSL_VERSION_DEFAULT 0
/** TLS 1.0 */
#define MQTT_SSL_VERSION_TLS_1_0 1
/** TLS 1.1 */
#define MQTT_SSL_VERSION_TLS_1_1 2
/** TLS 1.2 */
#define MQTT_SSL_VERSION_TLS_1_2 3

/** TLS settings for ssl://, mqtts:// and wss:// connections. */
typedef struct
{
	/** Always "MQTS". */
	char struct_id[4];
	/** 0 to 5; each version adds the fields marked with it. */
	int struct_version;
	/** PEM file of CA certificates to trust. */
	const char* trustStore;
	/** PEM file with the client certificate chain, possibly with its key. */
	const char* keyStore;
	/** PEM file with the client's private key, if not in keyStore. */
	const char* privateKey;
	/** Passphrase of an encrypted private key. */
	const char* privateKeyPassword;
	/** OpenSSL cipher list; NULL for the default. */
	const char* enabledCipherSuites;
	/** 1 to verify the server's certificate chain. */
    int enableServerCertAuth;
	/** One of the MQTT_SSL_VERSION_ values (version 1). */
    int sslVersion;
	/** 1 to check the host name against the certificate (version 1). */
    int verify;
	/** Directory of CA certificates (version 2). */
	const char* CApath;
	/** Receives OpenSSL error text (version 3). */
    int (*ssl_error_cb) (const char *str, size_t len, void *u);
	/** Passed to ssl_error_cb (version 3). */
    void* ssl_error_context;
	/** Supplies a TLS-PSK identity and key; returns the key length (version 4). */
	unsigned int (*ssl_psk_cb) (const char *hint, char *identity, unsigned int max_identity_len, unsigned char *psk, unsigned int max_psk_len, void *u);
	/** Passed to ssl_psk_cb (version 4). */
	void* ssl_psk_context;
	/** 1 to skip the system's default CA store (version 4). */
	int disableDefaultTrustStore;
	/** ALPN protocol list, in wire format (version 5). */
	const unsigned char *protos;
	/** Length of protos (version 5). */
	unsigned int protos_len;
} MQTTClient_SSLOptions;

#define MQTTClient_SSLOptions_initializer { {'M', 'Q', 'T', 'S'}, 5, NULL, NULL, NULL, NULL, NULL, 1, MQTT_SSL_VERSION_DEFAULT, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0 }

/** A name and a value. */
typedef struct
{
	const char* name;  /**< name */
	const char* value; /**< value */
} MQTTClient_nameValue;

/**
 * Describes the library: a static array of name/value pairs ending with {NULL, NULL}.
 */
LIBMQTT_API MQTTClient_nameValue* MQTTClient_getVersionInfo(void);

/** Settings for MQTTClient_connect and MQTTClient_connect5. */
typedef struct
{
	/** Always "MQTC". */
	char struct_id[4];
	/** 0 to 8; each version adds the fields marked with it. */
	int struct_version;
	/** Longest silence, in seconds, before the client pings; 0 disables keepalive. */
	int keepAliveInterval;
	/** MQTT 3.x: 1 to start a fresh session, 0 to resume the stored one. */
	int cleansession;
	/** 1: only one QoS>0 publish in flight at a time. */
	int reliable;
	/** The will, or NULL. */
	MQTTClient_willOptions* will;
	/** User name, or NULL. */
	const char* username;
	/** Password as a string, or NULL. */
	const char* password;
	/** Seconds to wait for the connection to be set up. */
	int connectTimeout;
	/** Seconds before an unacknowledged message is sent again; 0 only on reconnect. */
	int retryInterval;
	/** TLS settings, or NULL (version 1). */
	MQTTClient_SSLOptions* ssl;
	/** Number of entries in serverURIs (version 2). */
	int serverURIcount;
	/** Servers to try in turn instead of the create URI (version 2). */
	char* const* serverURIs;
	/** MQTT version to use (version 3). */
	int MQTTVersion;
	/** Filled in by a successful connect (version 4). */
	struct
	{
		const char* serverURI;  /**< the server connected to */
		int MQTTVersion;        /**< the MQTT version in use */
		int sessionPresent;     /**< the server had a session for us */
	} returned;
	/** Binary password, used when password is NULL (version 5). */
	struct
	{
		int len;            /**< byte count */
		const void* data;   /**< the bytes */
	} binarypwd;
	/** Limit of QoS>0 messages in flight; -1 for the default (version 6). */
	int maxInflightMessages;
	/** MQTT 5 clean start (version 7). */
	int cleanstart;
	/** Extra HTTP headers for websocket connects, ending with {NULL, NULL} (version 8). */
	const MQTTClient_nameValue* httpHeaders;
	/** HTTP proxy for ws:// (version 8). */
	const char* httpProxy;
	/** HTTP proxy for wss:// (version 8). */
	const char* httpsProxy;
} MQTTClient_connectOptions;

/** Defaults for MQTT 3.x over TCP. */
#define MQTTClient_connectOptions_initializer { {'M', 'Q', 'T', 'C'}, 8, 60, 1, 1, NULL, NULL, NULL, 30, 0, NULL,\
0, NULL, MQTTVERSION_DEFAULT, {NULL, 0, 0}, {0, NULL}, -1, 0, NULL, NULL, NULL}

/** Defaults for MQTT 5 over TCP. */
#define MQTTClient_connectOptions_initializer5 { {'M', 'Q', 'T', 'C'}, 8, 60, 0, 1, NULL, NULL, NULL, 30, 0, NULL,\
0, NULL, MQTTVERSION_5, {NULL, 0, 0}, {0, NULL}, -1, 1, NULL, NULL, NULL}

/** Defaults for MQTT 3.x over websockets. */
#define MQTTClient_connectOptions_initializer_ws { {'M', 'Q', 'T', 'C'}, 8, 45, 1, 1, NULL, NULL, NULL, 30, 0, NULL,\
0, NULL, MQTTVERSION_DEFAULT, {NULL, 0, 0}, {0, NULL}, -1, 0, NULL, NULL, NULL}

/** Defaults for MQTT 5 over websockets. */
#define MQTTClient_connectOptions_initializer5_ws { {'M', 'Q', 'T', 'C'}, 8, 45, 0, 1, NULL, NULL, NULL, 30, 0, NULL,\
0, NULL, MQTTVERSION_5, {NULL, 0, 0}, {0, NULL}, -1, 1, NULL, NULL, NULL}

/**
 * Connects with MQTT 3.x (or falls back from MQTTVERSION_DEFAULT), blocking until the
 * server answers or connectTimeout passes.
 * @return MQTTCLIENT_SUCCESS, a negative MQTTCLIENT_ error, or the server's CONNACK
 *         return code (1 to 5)
 */
LIBMQTT_API int MQTTClient_connect(MQTTClient handle, MQTTClient_connectOptions* options);

/** The outcome of an MQTT 5 call. */
typedef struct MQTTResponse
{
	/** Always 1. */
	int version;
	/** The server's reason code, or a negative MQTTCLIENT_ error. */
	enum MQTTReasonCodes reasonCode;
	/** Number of entries in reasonCodes. */
	int reasonCodeCount;
	/** One code per topic of subscribeMany5/unsubscribeMany5, or NULL. */
	enum MQTTReasonCodes* reasonCodes;
	/** The server's properties, or NULL. */
	MQTTProperties* properties;
} MQTTResponse;

#define MQTTResponse_initializer {1, MQTTREASONCODE_SUCCESS, 0, NULL, NULL}

/**
 * Frees what an MQTTResponse points to (not the struct itself, which is passed by value).
 */
LIBMQTT_API void MQTTResponse_free(MQTTResponse response);

/**
 * Connects with MQTT 5.
 * @param connectProperties CONNECT properties, or NULL
 * @param willProperties will properties, or NULL
 */
LIBMQTT_API MQTTResponse MQTTClient_connect5(MQTTClient handle, MQTTClient_connectOptions* options,
		MQTTProperties* connectProperties, MQTTProperties* willProperties);

/**
 * Disconnects, first waiting up to timeout milliseconds for in-flight messages to finish.
 */
LIBMQTT_API int MQTTClient_disconnect(MQTTClient handle, int timeout);

/**
 * Disconnects with an MQTT 5 reason code and properties.
 */
LIBMQTT_API int MQTTClient_disconnect5(MQTTClient handle, int timeout, enum MQTTReasonCodes reason, MQTTProperties* props);

/**
 * @return 1 if the client is connected, 0 otherwise
 */
LIBMQTT_API int MQTTClient_isConnected(MQTTClient handle);

/**
 * Subscribes to one topic filter, blocking until SUBACK.
 * @return MQTTCLIENT_SUCCESS, an error, or the granted QoS when it is below the one asked for
 */
LIBMQTT_API int MQTTClient_subscribe(MQTTClient handle, const char* topic, int qos);

/**
 * MQTT 5 subscribe with options and properties.
 */
LIBMQTT_API MQTTResponse MQTTClient_subscribe5(MQTTClient handle, const char* topic, int qos,
		MQTTSubscribe_options* opts, MQTTProperties* props);

/**
 * Subscribes to count filters in one SUBSCRIBE; qos is read and then overwritten with the
 * granted values.
 */
LIBMQTT_API int MQTTClient_subscribeMany(MQTTClient handle, int count, char* const* topic, int* qos);

/**
 * MQTT 5 subscribe to several filters.
 * @param opts one options struct per filter, or NULL
 */
LIBMQTT_API MQTTResponse MQTTClient_subscribeMany5(MQTTClient handle, int count, char* const* topic,
		int* qos, MQTTSubscribe_options* opts, MQTTProperties* props);

/**
 * Unsubscribes from one filter, blocking until UNSUBACK.
 */
LIBMQTT_API int MQTTClient_unsubscribe(MQTTClient handle, const char* topic);

/**
 * MQTT 5 unsubscribe.
 */
LIBMQTT_API MQTTResponse MQTTClient_unsubscribe5(MQTTClient handle, const char* topic, MQTTProperties* props);

/**
 * Unsubscribes from several filters in one UNSUBSCRIBE.
 */
LIBMQTT_API int MQTTClient_unsubscribeMany(MQTTClient handle, int count, char* const* topic);

/**
 * MQTT 5 unsubscribe from several filters.
 */
LIBMQTT_API MQTTResponse MQTTClient_unsubscribeMany5(MQTTClient handle, int count, char* const* topic, MQTTProperties* props);

/**
 * Publishes a payload. Returns once the message is handed to the network; for QoS 1 and
 * 2 use the token with MQTTClient_waitForCompletion or deliveryComplete.
 * @param dt receives the delivery token; may be NULL
 */
LIBMQTT_API int MQTTClient_publish(MQTTClient handle, const char* topicName, int payloadlen, const void* payload, int qos, int retained,
		MQTTClient_deliveryToken* dt);

/**
 * MQTT 5 publish with properties.
 */
LIBMQTT_API MQTTResponse MQTTClient_publish5(MQTTClient handle, const char* topicName, int payloadlen, const void* payload,
		int qos, int retained, MQTTProperties* properties, MQTTClient_deliveryToken* dt);

/**
 * Publishes an MQTTClient_message.
 */
LIBMQTT_API int MQTTClient_publishMessage(MQTTClient handle, const char* topicName, MQTTClient_message* msg, MQTTClient_deliveryToken* dt);

/**
 * MQTT 5 publish of an MQTTClient_message, with its properties.
 */
LIBMQTT_API MQTTResponse MQTTClient_publishMessage5(MQTTClient handle, const char* topicName, MQTTClient_message* msg,
		MQTTClient_deliveryToken* dt);

/**
 * Blocks until the publish with token dt completes or timeout milliseconds pass.
 * @return MQTTCLIENT_SUCCESS when complete, otherwise an error
 */
LIBMQTT_API int MQTTClient_waitForCompletion(MQTTClient handle, MQTTClient_deliveryToken dt, unsigned long timeout);

/**
 * Lists the tokens of publishes not yet complete.
 * @param tokens receives a malloc'ed array ending with -1, or NULL when there are none
 */
LIBMQTT_API int MQTTClient_getPendingDeliveryTokens(MQTTClient handle, MQTTClient_deliveryToken **tokens);

/**
 * Lets the library do its background work when no callbacks are set.
 */
LIBMQTT_API void MQTTClient_yield(void);

/**
 * Waits up to timeout milliseconds for an incoming message (no messageArrived callback).
 * On timeout returns MQTTCLIENT_SUCCESS with *message and *topicName set to NULL.
 */
LIBMQTT_API int MQTTClient_receive(MQTTClient handle, char** topicName, int* topicLen, MQTTClient_message** message,
		unsigned long timeout);

/**
 * Frees a message and its payload and properties, and sets *msg to NULL.
 */
LIBMQTT_API void MQTTClient_freeMessage(MQTTClient_message** msg);

/**
 * Frees memory the library allocated, e.g. a topic name; same as free().
 */
LIBMQTT_API void MQTTClient_free(void* ptr);

/**
 * Frees a client and sets *handle to NULL. Disconnect it first.
 */
LIBMQTT_API void MQTTClient_destroy(MQTTClient* handle);

/** Trace levels, from most to least verbose. */
enum MQTTCLIENT_TRACE_LEVELS
{
	MQTTCLIENT_TRACE_MAXIMUM = 1,  /**< everything */
	MQTTCLIENT_TRACE_MEDIUM,       /**< detail */
	MQTTCLIENT_TRACE_MINIMUM,      /**< main events */
	MQTTCLIENT_TRACE_PROTOCOL,     /**< packets sent and received */
	MQTTCLIENT_TRACE_ERROR,        /**< errors */
	MQTTCLIENT_TRACE_SEVERE,       /**< severe errors */
	MQTTCLIENT_TRACE_FATAL,        /**< fatal errors */
};

/**
 * Sets the least severe level passed to the trace callback.
 */
LIBMQTT_API void MQTTClient_setTraceLevel(enum MQTTCLIENT_TRACE_LEVELS level);

/**
 * Receives one trace line at a time.
 */
typedef void MQTTClient_traceCallback(enum MQTTCLIENT_TRACE_LEVELS level, char* message);

/**
 * Installs the trace callback; NULL turns tracing off.
 */
LIBMQTT_API void MQTTClient_setTraceCallback(MQTTClient_traceCallback* callback);

/**
 * Sets how long, in milliseconds, subscribe, unsubscribe and disconnect wait for the server.
 */
LIBMQTT_API int MQTTClient_setCommandTimeout(MQTTClient handle, unsigned long milliSeconds);

/**
 * Text for an MQTTCLIENT_ error code.
 * @return a static string, or NULL for an unknown code
 */
LIBMQTT_API const char* MQTTClient_strerror(int code);

#if defined(__cplusplus)
     }
#endif

#endif /* MQTTCLIENT_H */
