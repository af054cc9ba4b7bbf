/*
 * SPDX-License-Identifier: EPL-2.0 OR BSD-3-Clause
 *
 * paho-mqtt-c-rs: a Rust implementation of the Eclipse Paho MQTT C client API.
 *
 * Persistence: where a client keeps QoS 1 and 2 messages that are not yet fully
 * acknowledged, so that they survive a restart. The library offers a file store
 * (MQTTCLIENT_PERSISTENCE_DEFAULT), none (MQTTCLIENT_PERSISTENCE_NONE), or calls the
 * application's own store (MQTTCLIENT_PERSISTENCE_USER, a MQTTClient_persistence as
 * the persistence context). Each callback returns 0 on success.
 */
#if !defined(MQTTCLIENTPERSISTENCE_H)
#define MQTTCLIENTPERSISTENCE_H

/** File store; the persistence context is the directory (NULL: the working directory). */
#define MQTTCLIENT_PERSISTENCE_DEFAULT 0
/** No store: unacknowledged messages are lost if the process ends. */
#define MQTTCLIENT_PERSISTENCE_NONE 1
/** The application's store: the persistence context points to a MQTTClient_persistence. */
#define MQTTCLIENT_PERSISTENCE_USER 2

/** A store operation failed; the callbacks may return this. */
#define MQTTCLIENT_PERSISTENCE_ERROR -2

/**
 * Opens (creating if needed) the store of one client and sets *handle for the other calls.
 * @param context the `context` field of the MQTTClient_persistence
 */
typedef int (*Persistence_open)(void** handle, const char* clientID, const char* serverURI, void* context);

/** Closes the store opened by Persistence_open. */
typedef int (*Persistence_close)(void* handle);

/**
 * Stores, under key, the concatenation of bufcount buffers whose lengths are in buflens.
 * Replaces any earlier value of the key.
 */
typedef int (*Persistence_put)(void* handle, char* key, int bufcount, char* buffers[], int buflens[]);

/**
 * Fetches the value of key into *buffer (allocated with malloc; the library frees it)
 * and its size into *buflen.
 */
typedef int (*Persistence_get)(void* handle, char* key, char** buffer, int* buflen);

/** Deletes key and its value. */
typedef int (*Persistence_remove)(void* handle, char* key);

/**
 * Lists every key: *keys is a malloc'ed array of *nkeys malloc'ed strings, freed by the
 * library. With no keys, *keys may be NULL and *nkeys 0.
 */
typedef int (*Persistence_keys)(void* handle, char*** keys, int* nkeys);

/** Deletes every key of this store. */
typedef int (*Persistence_clear)(void* handle);

/** @return 0 if key is present, nonzero otherwise */
typedef int (*Persistence_containskey)(void* handle, char* key);

/** An application-provided store: a context and one function per operation. */
typedef struct {
	void* context;                        /**< passed to popen */
	Persistence_open popen;               /**< open */
	Persistence_close pclose;             /**< close */
	Persistence_put pput;                 /**< put */
	Persistence_get pget;                 /**< get */
	Persistence_remove premove;           /**< remove */
	Persistence_keys pkeys;               /**< list keys */
	Persistence_clear pclear;             /**< clear */
	Persistence_containskey pcontainskey; /**< contains key */
} MQTTClient_persistence;

/**
 * Optional hook run on the buffers just before they are written to the store, for
 * example to encrypt them. It may replace buffers (malloc'ed) and their lengths.
 */
typedef int MQTTPersistence_beforeWrite(void* context, int bufcount, char* buffers[], int buflens[]);

/**
 * Optional hook run on a buffer just after it is read back, undoing
 * MQTTPersistence_beforeWrite. It may replace *buffer (malloc'ed) and *buflen.
 */
typedef int MQTTPersistence_afterRead(void* context, char** buffer, int* buflen);

#endif /* MQTTCLIENTPERSISTENCE_H */
