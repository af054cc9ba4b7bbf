/*
 * SPDX-License-Identifier: EPL-2.0 OR BSD-3-Clause
 *
 * paho-mqtt-c-rs: a Rust implementation of the Eclipse Paho MQTT C client API.
 *
 * The asynchronous client (libpaho-mqtt3a, and libpaho-mqtt3as with TLS).
 *
 * Calls queue a request and return at once with a token; the outcome arrives later
 * through the onSuccess/onFailure callbacks of the request (or their MQTT 5 forms),
 * on a library thread. Unlike Paho, this implementation allows every API call from
 * inside every callback.
 *
 * Options structs start with a four-character struct_id and a struct_version; always
 * start from the matching _initializer macro. The library reads no field beyond the
 * version given.
 *
 * Anything the library hands to the application is allocated with malloc and may be
 * released with free() or the matching MQTTAsync_free* call.
 */
#if !defined(MQTTASYNC_H)
#define MQTTASYNC_H

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
#define MQTTASYNC_SUCCESS 0
/** A failure not covered by a more specific code. */
#define MQTTASYNC_FAILURE -1
/** The persistence store failed. */
#define MQTTASYNC_PERSISTENCE_ERROR -2
/** The client is not connected. */
#define MQTTASYNC_DISCONNECTED -3
/** Too many QoS 1/2 messages are in flight. */
#define MQTTASYNC_MAX_MESSAGES_INFLIGHT -4
/** A string is not valid UTF-8 as MQTT defines it. */
#define MQTTASYNC_BAD_UTF8_STRING -5
/** A pointer argument that may not be NULL was NULL. */
#define MQTTASYNC_NULL_PARAMETER -6
/** The topic name contains a NUL byte; use topicLen. Not an error. */
#define MQTTASYNC_TOPICNAME_TRUNCATED -7
/** A struct has the wrong struct_id or a struct_version this library does not know. */
#define MQTTASYNC_BAD_STRUCTURE -8
/** A QoS other than 0, 1 or 2. */
#define MQTTASYNC_BAD_QOS -9
/** All packet identifiers are in use. */
#define MQTTASYNC_NO_MORE_MSGIDS -10
/** The request was dropped before it completed (e.g. by destroy). */
#define MQTTASYNC_OPERATION_INCOMPLETE -11
/** The offline buffer is full. */
#define MQTTASYNC_MAX_BUFFERED_MESSAGES -12
/** A TLS URI or option was used with a library built without TLS. */
#define MQTTASYNC_SSL_NOT_SUPPORTED -13
/** The URI scheme is not one the library knows. */
#define MQTTASYNC_BAD_PROTOCOL -14
/** An option that does not apply to the MQTT version in use. */
#define MQTTASYNC_BAD_MQTT_OPTION -15
/** An MQTT 5 option on a 3.x client, or the reverse. */
#define MQTTASYNC_WRONG_MQTT_VERSION -16
/** A will with an empty topic. */
#define MQTTASYNC_0_LEN_WILL_TOPIC -17
/** A connect or disconnect request was superseded by a later one. */
#define MQTTASYNC_COMMAND_IGNORED -18
 /** The offline buffer limit was reached. */
 #define MQTTASYNC_MAX_BUFFERED -19

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

/** Options for MQTTAsync_global_init. */
typedef struct
{
	/** Always "MQTG". */
	char struct_id[4];
	/** Always 0. */
	int struct_version;
	/** 1 if the library should initialise OpenSSL, 0 if the application already has. */
	int do_openssl_init;
} MQTTAsync_init_options;

#define MQTTAsync_init_options_initializer { {'M', 'Q', 'T', 'G'}, 0, 0 }

/**
 * Process-wide set-up. Optional; call it before creating clients if at all.
 */
LIBMQTT_API void MQTTAsync_global_init(MQTTAsync_init_options* inits);

/** A client handle, filled in by MQTTAsync_create. */
typedef void* MQTTAsync;
/** Identifies one request until it completes. */
typedef int MQTTAsync_token;

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
	/** On publish: keep as the topic's retained message. On receipt: it was retained. */
	int retained;
	/** On receipt: set when this may be a repeat of an earlier delivery. */
	int dup;
	/** Packet identifier of a received message; for information only. */
	int msgid;
	/** MQTT 5 properties (struct_version 1). */
	MQTTProperties properties;
} MQTTAsync_message;

#define MQTTAsync_message_initializer { {'M', 'Q', 'T', 'M'}, 1, 0, NULL, 0, 0, 0, 0, MQTTProperties_initializer }

/**
 * Called on a library thread for each incoming message.
 * @param topicName free it with MQTTAsync_free
 * @param topicLen 0 unless the topic holds a NUL byte, in which case its full length
 * @param message free it with MQTTAsync_freeMessage
 * @return nonzero when the message has been taken care of; 0 to have it offered again later
 */
typedef int MQTTAsync_messageArrived(void* context, char* topicName, int topicLen, MQTTAsync_message* message);

/**
 * Called when a QoS 1 or 2 publish has completed.
 */
typedef void MQTTAsync_deliveryComplete(void* context, MQTTAsync_token token);

/**
 * Called when an established connection is lost.
 * @param cause a description, or NULL
 */
typedef void MQTTAsync_connectionLost(void* context, char* cause);

/**
 * Called after every successful connect, including automatic reconnects.
 * @param cause "connect onSuccess called" or "automatic reconnect" style text
 */
typedef void MQTTAsync_connected(void* context, char* cause);

/**
 * Called when an MQTT 5 server sends DISCONNECT.
 */
typedef void MQTTAsync_disconnected(void* context, MQTTProperties* properties,
		enum MQTTReasonCodes reasonCode);

/**
 * Installs the callback for a server-sent DISCONNECT (MQTT 5).
 */
LIBMQTT_API int MQTTAsync_setDisconnected(MQTTAsync handle, void* context, MQTTAsync_disconnected* co);

/** Credentials the application may change before each reconnect. */
typedef struct
{
	/** Always "MQCD". */
	char struct_id[4];
	/** Always 0. */
	int struct_version;
	/** User name; a replacement must be malloc'ed (the library frees it). */
	const char* username;
	/** Password; a replacement must be malloc'ed (the library frees it). */
	struct {
		int len;           /**< byte count */
		const void* data;  /**< the bytes */
	} binarypwd;
} MQTTAsync_connectData;

#define MQTTAsync_connectData_initializer {{'M', 'Q', 'C', 'D'}, 0, NULL, {0, NULL}}

/**
 * Called before each connect attempt so the application can update credentials.
 * @return nonzero if data was changed
 */
typedef int MQTTAsync_updateConnectOptions(void* context, MQTTAsync_connectData* data);

/**
 * Installs the credential-update callback.
 */
LIBMQTT_API int MQTTAsync_setUpdateConnectOptions(MQTTAsync handle, void* context, MQTTAsync_updateConnectOptions* co);

/**
 * Installs a hook that transforms data before it is persisted.
 */
LIBMQTT_API int MQTTAsync_setBeforePersistenceWrite(MQTTAsync handle, void* context, MQTTPersistence_beforeWrite* co);

/**
 * Installs a hook that undoes the before-write transformation on data read back.
 */
LIBMQTT_API int MQTTAsync_setAfterPersistenceRead(MQTTAsync handle, void* context, MQTTPersistence_afterRead* co);

/** Why an MQTT 3.x request failed. */
typedef struct
{
	/** The request's token. */
	MQTTAsync_token token;
	/** An MQTTASYNC_ error or the server's return code. */
	int code;
	/** A description, or NULL. */
	const char *message;
} MQTTAsync_failureData;

/** Why an MQTT 5 request failed. */
typedef struct
{
	/** Always "MQFD". */
	char struct_id[4];
	/** Always 0. */
	int struct_version;
	/** The request's token. */
	MQTTAsync_token token;
	/** The server's reason code. */
	enum MQTTReasonCodes reasonCode;
	/** The server's properties. */
	MQTTProperties properties;
	/** An MQTTASYNC_ error. */
	int code;
	/** A description, or NULL. */
	const char *message;
	/** Type of the packet that reported the failure, or 0. */
	int packet_type;
} MQTTAsync_failureData5;

#define MQTTAsync_failureData5_initializer {{'M', 'Q', 'F', 'D'}, 0, 0, MQTTREASONCODE_SUCCESS, MQTTProperties_initializer, 0, NULL, 0}

/** What an MQTT 3.x request achieved. */
typedef struct
{
	/** The request's token. */
	MQTTAsync_token token;
	/** Details; which member applies depends on the request. */
	union
	{
		/** subscribe: the granted QoS. */
		int qos;
		/** subscribeMany: the granted QoS of each filter. */
		int* qosList;
		/** send: the message sent. */
		struct
		{
			MQTTAsync_message message;  /**< the message */
			char* destinationName;      /**< its topic */
		} pub;
		/** connect: what was negotiated. */
		struct
		{
			char* serverURI;     /**< the server connected to */
			int MQTTVersion;     /**< the MQTT version in use */
			int sessionPresent;  /**< the server had a session for us */
		} connect;
	} alt;
} MQTTAsync_successData;

/** What an MQTT 5 request achieved. */
typedef struct
{
	/** Always "MQSD". */
	char struct_id[4];
	/** Always 0. */
	int struct_version;
	/** The request's token. */
	MQTTAsync_token token;
	/** The server's reason code. */
	enum MQTTReasonCodes reasonCode;
	/** The server's properties. */
	MQTTProperties properties;
	/** Details; which member applies depends on the request. */
	union
	{
		/** subscribe: one reason code per filter. */
		struct
		{
			int reasonCodeCount;               /**< number of codes */
			enum MQTTReasonCodes* reasonCodes; /**< the codes */
		} sub;
		/** send: the message sent. */
		struct
		{
			MQTTAsync_message message;  /**< the message */
			char* destinationName;      /**< its topic */
		} pub;
		/** connect: what was negotiated. */
		struct
		{
			char* serverURI;     /**< the server connected to */
			int MQTTVersion;     /**< the MQTT version in use */
			int sessionPresent;  /**< the server had a session for us */
		} connect;
		/** unsubscribe: one reason code per filter. */
		struct
		{
			int reasonCodeCount;               /**< number of codes */
			enum MQTTReasonCodes* reasonCodes; /**< the codes */
		} unsub;
	} alt;
} MQTTAsync_successData5;

#define MQTTAsync_successData5_initializer {{'M', 'Q', 'S', 'D'}, 0, 0, MQTTREASONCODE_SUCCESS, MQTTProperties_initializer, {.sub={0,0}}}

/** Called when an MQTT 3.x request succeeds; response is valid only during the call. */
typedef void MQTTAsync_onSuccess(void* context, MQTTAsync_successData* response);

/** Called when an MQTT 5 request succeeds; response is valid only during the call. */
typedef void MQTTAsync_onSuccess5(void* context, MQTTAsync_successData5* response);

/** Called when an MQTT 3.x request fails; response may be NULL. */
typedef void MQTTAsync_onFailure(void* context,  MQTTAsync_failureData* response);

/** Called when an MQTT 5 request fails; response may be NULL. */
typedef void MQTTAsync_onFailure5(void* context,  MQTTAsync_failureData5* response);

/** Per-request callbacks and MQTT 5 options. */
typedef struct MQTTAsync_responseOptions
{
	/** Always "MQTR". */
	char struct_id[4];
	/** 0, or 1 for the MQTT 5 fields. */
	int struct_version;
	/** Called on success (MQTT 3.x), or NULL. */
	MQTTAsync_onSuccess* onSuccess;
	/** Called on failure (MQTT 3.x), or NULL. */
	MQTTAsync_onFailure* onFailure;
	/** Passed to the callbacks. */
	void* context;
	/** Set by the library to the request's token. */
	MQTTAsync_token token;
	/** Called on success (MQTT 5), or NULL (version 1). */
	MQTTAsync_onSuccess5* onSuccess5;
	/** Called on failure (MQTT 5), or NULL (version 1). */
	MQTTAsync_onFailure5* onFailure5;
	/** Properties to send with the request (version 1). */
	MQTTProperties properties;
	/** Options of a single-filter subscribe (version 1). */
	MQTTSubscribe_options subscribeOptions;
	/** Number of entries in subscribeOptionsList (version 1). */
	int subscribeOptionsCount;
	/** Options per filter for subscribeMany (version 1). */
	MQTTSubscribe_options* subscribeOptionsList;
} MQTTAsync_responseOptions;

#define MQTTAsync_responseOptions_initializer { {'M', 'Q', 'T', 'R'}, 1, NULL, NULL, 0, 0, NULL, NULL, MQTTProperties_initializer, MQTTSubscribe_options_initializer, 0, NULL}

/** The name used for the options of send, subscribe and unsubscribe calls. */
typedef struct MQTTAsync_responseOptions MQTTAsync_callOptions;
#define MQTTAsync_callOptions_initializer MQTTAsync_responseOptions_initializer

/**
 * Installs the client-wide callbacks. Only while disconnected; any may be NULL.
 */
LIBMQTT_API int MQTTAsync_setCallbacks(MQTTAsync handle, void* context, MQTTAsync_connectionLost* cl,
									MQTTAsync_messageArrived* ma, MQTTAsync_deliveryComplete* dc);

/**
 * Installs only the connection-lost callback.
 */
LIBMQTT_API int MQTTAsync_setConnectionLostCallback(MQTTAsync handle, void* context,
												  MQTTAsync_connectionLost* cl);

/**
 * Installs only the message-arrived callback.
 */
LIBMQTT_API int MQTTAsync_setMessageArrivedCallback(MQTTAsync handle, void* context,
												  MQTTAsync_messageArrived* ma);

/**
 * Installs only the delivery-complete callback.
 */
LIBMQTT_API int MQTTAsync_setDeliveryCompleteCallback(MQTTAsync handle, void* context,
													MQTTAsync_deliveryComplete* dc);

/**
 * Installs the callback run after every successful connect.
 */
LIBMQTT_API int MQTTAsync_setConnected(MQTTAsync handle, void* context, MQTTAsync_connected* co);

/**
 * Reconnects now with the last connect options (automaticReconnect must be on).
 */
LIBMQTT_API int MQTTAsync_reconnect(MQTTAsync handle);

/**
 * Makes a client for one server and client identifier. Does not connect.
 * @param persistence_type one of the MQTTCLIENT_PERSISTENCE_ values
 */
LIBMQTT_API int MQTTAsync_create(MQTTAsync* handle, const char* serverURI, const char* clientId,
		int persistence_type, void* persistence_context);

/** Extra options for MQTTAsync_createWithOptions. */
typedef struct
{
	/** Always "MQCO". */
	char struct_id[4];
	/** 0 to 2; each version adds the fields marked with it. */
	int struct_version;
	/** 1 to accept send calls while disconnected and buffer them. */
	int sendWhileDisconnected;
	/** Limit of the offline buffer. */
	int maxBufferedMessages;
	/** MQTT version this client will speak. */
	int MQTTVersion;
	/** 1 to buffer even before the first connect (version 1). */
	int allowDisconnectedSendAtAnyTime;
	/** 1 to drop the oldest buffered message when full (version 1). */
	int deleteOldestMessages;
	/** 1 to restore persisted messages at create (version 1). */
	int restoreMessages;
	/** 1 to persist QoS 0 messages as well (version 2). */
	int persistQoS0;
} MQTTAsync_createOptions;

#define MQTTAsync_createOptions_initializer { {'M', 'Q', 'C', 'O'}, 2, 0, 100, MQTTVERSION_DEFAULT, 0, 0, 1, 1}

#define MQTTAsync_createOptions_initializer5 { {'M', 'Q', 'C', 'O'}, 2, 0, 100, MQTTVERSION_5, 0, 0, 1, 1}

/**
 * MQTTAsync_create with additional options.
 */
LIBMQTT_API int MQTTAsync_createWithOptions(MQTTAsync* handle, const char* serverURI, const char* clientId,
		int persistence_type, void* persistence_context, MQTTAsync_createOptions* options);

/** The last-will message the server publishes if the client vanishes. */
typedef struct
{
	/** Always "MQTW". */
	char struct_id[4];
	/** 0, or 1 when payload is present. */
	int struct_version;
	/** Will topic. */
	const char* topicName;
	/** Will payload as a string; used when payload.data is NULL. */
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
} MQTTAsync_willOptions;

#define MQTTAsync_willOptions_initializer { {'M', 'Q', 'T', 'W'}, 1, NULL, NULL, 0, 0, { 0, NULL } }

/** Let the TLS library choose. */
#define MQTT_SSL_VERSION_DEFAULT 0
/** TLS 1.0 */
#define MQTT_SSL_VERSION_TLS_1_0 1
/** TLS 1.1 */
#define MQTT_SSL_VERSION_TLS_1_1 2
/** TLS 1.2 */
#define MQTT_SSL_VERSION_TLS_1_2 3

/** TLS settings; same meaning as MQTTClient_SSLOptions. */
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
	/** PEM file with the client's private key. */
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
} MQTTAsync_SSLOptions;

#define MQTTAsync_SSLOptions_initializer { {'M', 'Q', 'T', 'S'}, 5, NULL, NULL, NULL, NULL, NULL, 1, MQTT_SSL_VERSION_DEFAULT, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0 }

/** A name and a value. */
typedef struct
{
	const char* name;  /**< name */
	const char* value; /**< value */
} MQTTAsync_nameValue;

/** Settings for MQTTAsync_connect. */
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
	/** Limit of QoS>0 messages in flight. */
	int maxInflight;
	/** The will, or NULL. */
	MQTTAsync_willOptions* will;
	/** User name, or NULL. */
	const char* username;
	/** Password as a string, or NULL. */
	const char* password;
	/** Seconds to wait for the connection to be set up. */
	int connectTimeout;
	/** Seconds before an unacknowledged message is sent again; 0 only on reconnect. */
	int retryInterval;
	/** TLS settings, or NULL (version 1). */
	MQTTAsync_SSLOptions* ssl;
	/** Called when the connect succeeds (MQTT 3.x), or NULL. */
	MQTTAsync_onSuccess* onSuccess;
	/** Called when the connect fails (MQTT 3.x), or NULL. */
	MQTTAsync_onFailure* onFailure;
	/** Passed to the callbacks. */
	void* context;
	/** Number of entries in serverURIs (version 2). */
	int serverURIcount;
	/** Servers to try in turn instead of the create URI (version 2). */
	char* const* serverURIs;
	/** MQTT version to use (version 3). */
	int MQTTVersion;
	/** 1 to reconnect by itself after a loss (version 4). */
	int automaticReconnect;
	/** First reconnect delay in seconds (version 4). */
	int minRetryInterval;
	/** Longest reconnect delay in seconds; delays double up to it (version 4). */
	int maxRetryInterval;
	/** Binary password, used when password is NULL (version 5). */
	struct {
		int len;            /**< byte count */
		const void* data;   /**< the bytes */
	} binarypwd;
	/** MQTT 5 clean start (version 6). */
	int cleanstart;
	/** CONNECT properties (version 6). */
	MQTTProperties *connectProperties;
	/** Will properties (version 6). */
	MQTTProperties *willProperties;
	/** Called when the connect succeeds (MQTT 5), or NULL (version 6). */
	MQTTAsync_onSuccess5* onSuccess5;
	/** Called when the connect fails (MQTT 5), or NULL (version 6). */
	MQTTAsync_onFailure5* onFailure5;
	/** Extra HTTP headers for websocket connects, ending with {NULL, NULL} (version 7). */
	const MQTTAsync_nameValue* httpHeaders;
	/** HTTP proxy for ws:// (version 8). */
	const char* httpProxy;
	/** HTTP proxy for wss:// (version 8). */
	const char* httpsProxy;
} MQTTAsync_connectOptions;

/** Defaults for MQTT 3.x over TCP. */
#define MQTTAsync_connectOptions_initializer { {'M', 'Q', 'T', 'C'}, 8, 60, 1, 65535, NULL, NULL, NULL, 30, 0,\
NULL, NULL, NULL, NULL, 0, NULL, MQTTVERSION_DEFAULT, 0, 1, 60, {0, NULL}, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL}

/** Defaults for MQTT 5 over TCP. */
#define MQTTAsync_connectOptions_initializer5 { {'M', 'Q', 'T', 'C'}, 8, 60, 0, 65535, NULL, NULL, NULL, 30, 0,\
NULL, NULL, NULL, NULL, 0, NULL, MQTTVERSION_5, 0, 1, 60, {0, NULL}, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL}

/** Defaults for MQTT 3.x over websockets. */
#define MQTTAsync_connectOptions_initializer_ws { {'M', 'Q', 'T', 'C'}, 8, 45, 1, 65535, NULL, NULL, NULL, 30, 0,\
NULL, NULL, NULL, NULL, 0, NULL, MQTTVERSION_DEFAULT, 0, 1, 60, {0, NULL}, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL}

/** Defaults for MQTT 5 over websockets. */
#define MQTTAsync_connectOptions_initializer5_ws { {'M', 'Q', 'T', 'C'}, 8, 45, 0, 65535, NULL, NULL, NULL, 30, 0,\
NULL, NULL, NULL, NULL, 0, NULL, MQTTVERSION_5, 0, 1, 60, {0, NULL}, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL}

/**
 * Starts connecting; the outcome arrives through onSuccess/onFailure (or their 5 forms).
 * @return MQTTASYNC_SUCCESS if the request was accepted, otherwise an error
 */
LIBMQTT_API int MQTTAsync_connect(MQTTAsync handle, const MQTTAsync_connectOptions* options);

/** Settings for MQTTAsync_disconnect. */
typedef struct
{
	/** Always "MQTD". */
	char struct_id[4];
	/** 0, or 1 for the MQTT 5 fields. */
	int struct_version;
	/** Milliseconds to let in-flight messages finish. */
	int timeout;
	/** Called when the disconnect completes (MQTT 3.x), or NULL. */
	MQTTAsync_onSuccess* onSuccess;
	/** Called when the disconnect fails (MQTT 3.x), or NULL. */
	MQTTAsync_onFailure* onFailure;
	/** Passed to the callbacks. */
	void* context;
	/** DISCONNECT properties (version 1). */
	MQTTProperties properties;
	/** DISCONNECT reason code (version 1). */
	enum MQTTReasonCodes reasonCode;
	/** Called when the disconnect completes (MQTT 5), or NULL (version 1). */
	MQTTAsync_onSuccess5* onSuccess5;
	/** Called when the disconnect fails (MQTT 5), or NULL (version 1). */
	MQTTAsync_onFailure5* onFailure5;
} MQTTAsync_disconnectOptions;

#define MQTTAsync_disconnectOptions_initializer { {'M', 'Q', 'T', 'D'}, 0, 0, NULL, NULL, NULL,\
	MQTTProperties_initializer, MQTTREASONCODE_SUCCESS, NULL, NULL }

#define MQTTAsync_disconnectOptions_initializer5 { {'M', 'Q', 'T', 'D'}, 1, 0, NULL, NULL, NULL,\
	MQTTProperties_initializer, MQTTREASONCODE_SUCCESS, NULL, NULL }

/**
 * Starts disconnecting.
 */
LIBMQTT_API int MQTTAsync_disconnect(MQTTAsync handle, const MQTTAsync_disconnectOptions* options);

/**
 * @return 1 if the client is connected, 0 otherwise
 */
LIBMQTT_API int MQTTAsync_isConnected(MQTTAsync handle);

/**
 * Requests a subscription to one filter.
 */
LIBMQTT_API int MQTTAsync_subscribe(MQTTAsync handle, const char* topic, int qos, MQTTAsync_responseOptions* response);

/**
 * Requests subscriptions to count filters in one SUBSCRIBE.
 */
LIBMQTT_API int MQTTAsync_subscribeMany(MQTTAsync handle, int count, char* const* topic, const int* qos, MQTTAsync_responseOptions* response);

/**
 * Requests removal of one subscription.
 */
LIBMQTT_API int MQTTAsync_unsubscribe(MQTTAsync handle, const char* topic, MQTTAsync_responseOptions* response);

/**
 * Requests removal of several subscriptions in one UNSUBSCRIBE.
 */
LIBMQTT_API int MQTTAsync_unsubscribeMany(MQTTAsync handle, int count, char* const* topic, MQTTAsync_responseOptions* response);

/**
 * Queues a publish of a payload.
 */
LIBMQTT_API int MQTTAsync_send(MQTTAsync handle, const char* destinationName, int payloadlen, const void* payload, int qos,
		int retained, MQTTAsync_responseOptions* response);

/**
 * Queues a publish of an MQTTAsync_message.
 */
LIBMQTT_API int MQTTAsync_sendMessage(MQTTAsync handle, const char* destinationName, const MQTTAsync_message* msg, MQTTAsync_responseOptions* response);

/**
 * Lists the tokens of requests not yet complete.
 * @param tokens receives a malloc'ed array ending with -1, or NULL when there are none
 */
LIBMQTT_API int MQTTAsync_getPendingTokens(MQTTAsync handle, MQTTAsync_token **tokens);

/** What MQTTAsync_isComplete returns for a finished request. */
#define MQTTASYNC_TRUE 1

/**
 * @return MQTTASYNC_TRUE if the request has completed, 0 otherwise
 */
LIBMQTT_API int MQTTAsync_isComplete(MQTTAsync handle, MQTTAsync_token token);

/**
 * Blocks until the request completes or timeout milliseconds pass.
 */
LIBMQTT_API int MQTTAsync_waitForCompletion(MQTTAsync handle, MQTTAsync_token token, unsigned long timeout);

/**
 * Frees a message and its payload and properties, and sets *msg to NULL.
 */
LIBMQTT_API void MQTTAsync_freeMessage(MQTTAsync_message** msg);

/**
 * Frees memory the library allocated; same as free().
 */
LIBMQTT_API void MQTTAsync_free(void* ptr);

/**
 * Allocates memory the library may later free, e.g. credentials set in
 * MQTTAsync_updateConnectOptions; same as malloc().
 */
LIBMQTT_API void* MQTTAsync_malloc(size_t size);

/**
 * Frees a client and sets *handle to NULL.
 */
LIBMQTT_API void MQTTAsync_destroy(MQTTAsync* handle);

/** Trace levels, from most to least verbose. */
enum MQTTASYNC_TRACE_LEVELS
{
	MQTTASYNC_TRACE_MAXIMUM = 1,  /**< everything */
	MQTTASYNC_TRACE_MEDIUM,       /**< detail */
	MQTTASYNC_TRACE_MINIMUM,      /**< main events */
	MQTTASYNC_TRACE_PROTOCOL,     /**< packets sent and received */
	MQTTASYNC_TRACE_ERROR,        /**< errors */
	MQTTASYNC_TRACE_SEVERE,       /**< severe errors */
	MQTTASYNC_TRACE_FATAL,        /**< fatal errors */
};

/**
 * Sets the least severe level passed to the trace callback.
 */
LIBMQTT_API void MQTTAsync_setTraceLevel(enum MQTTASYNC_TRACE_LEVELS level);

/**
 * Receives one trace line at a time.
 */
typedef void MQTTAsync_traceCallback(enum MQTTASYNC_TRACE_LEVELS level, char* message);

/**
 * Installs the trace callback; NULL turns tracing off.
 */
LIBMQTT_API void MQTTAsync_setTraceCallback(MQTTAsync_traceCallback* callback);

/**
 * Describes the library: a static array of name/value pairs ending with {NULL, NULL}.
 */
LIBMQTT_API MQTTAsync_nameValue* MQTTAsync_getVersionInfo(void);

/**
 * Text for an MQTTASYNC_ error code.
 * @return a static string, or NULL for an unknown code
 */
LIBMQTT_API const char* MQTTAsync_strerror(int code);

#if defined(__cplusplus)
     }
#endif

#endif /* MQTTASYNC_H */
