/*
 * SPDX-License-Identifier: EPL-2.0 OR BSD-3-Clause
 *
 * paho-mqtt-c-rs: a Rust implementation of the Eclipse Paho MQTT C client API.
 *
 * MQTT 5 properties: identifiers, value types, and the growable list the client
 * fills in and hands back. Everything the library allocates here comes from malloc.
 */
#if !defined(MQTTPROPERTIES_H)
#define MQTTPROPERTIES_H

#include "MQTTExportDeclarations.h"

/** What the property getters return when the identifier is absent. */
#define MQTT_INVALID_PROPERTY_ID -2

/** MQTT 5 property identifiers, numbered as on the wire. */
enum MQTTPropertyCodes {
  MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR = 1,   /**< byte: 0 bytes, 1 UTF-8 */
  MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL = 2,    /**< four-byte integer, seconds */
  MQTTPROPERTY_CODE_CONTENT_TYPE = 3,               /**< UTF-8 string */
  MQTTPROPERTY_CODE_RESPONSE_TOPIC = 8,             /**< UTF-8 string */
  MQTTPROPERTY_CODE_CORRELATION_DATA = 9,           /**< binary data */
  MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIER = 11,   /**< variable byte integer */
  MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL = 17,   /**< four-byte integer, seconds */
  MQTTPROPERTY_CODE_ASSIGNED_CLIENT_IDENTIFER = 18, /**< UTF-8 string (name as Paho spells it) */
  MQTTPROPERTY_CODE_SERVER_KEEP_ALIVE = 19,         /**< two-byte integer, seconds */
  MQTTPROPERTY_CODE_AUTHENTICATION_METHOD = 21,     /**< UTF-8 string */
  MQTTPROPERTY_CODE_AUTHENTICATION_DATA = 22,       /**< binary data */
  MQTTPROPERTY_CODE_REQUEST_PROBLEM_INFORMATION = 23,/**< byte */
  MQTTPROPERTY_CODE_WILL_DELAY_INTERVAL = 24,       /**< four-byte integer, seconds */
  MQTTPROPERTY_CODE_REQUEST_RESPONSE_INFORMATION = 25,/**< byte */
  MQTTPROPERTY_CODE_RESPONSE_INFORMATION = 26,      /**< UTF-8 string */
  MQTTPROPERTY_CODE_SERVER_REFERENCE = 28,          /**< UTF-8 string */
  MQTTPROPERTY_CODE_REASON_STRING = 31,             /**< UTF-8 string */
  MQTTPROPERTY_CODE_RECEIVE_MAXIMUM = 33,           /**< two-byte integer */
  MQTTPROPERTY_CODE_TOPIC_ALIAS_MAXIMUM = 34,       /**< two-byte integer */
  MQTTPROPERTY_CODE_TOPIC_ALIAS = 35,               /**< two-byte integer */
  MQTTPROPERTY_CODE_MAXIMUM_QOS = 36,               /**< byte */
  MQTTPROPERTY_CODE_RETAIN_AVAILABLE = 37,          /**< byte */
  MQTTPROPERTY_CODE_USER_PROPERTY = 38,             /**< UTF-8 string pair, may repeat */
  MQTTPROPERTY_CODE_MAXIMUM_PACKET_SIZE = 39,       /**< four-byte integer */
  MQTTPROPERTY_CODE_WILDCARD_SUBSCRIPTION_AVAILABLE = 40,  /**< byte */
  MQTTPROPERTY_CODE_SUBSCRIPTION_IDENTIFIERS_AVAILABLE = 41,/**< byte */
  MQTTPROPERTY_CODE_SHARED_SUBSCRIPTION_AVAILABLE = 42     /**< byte */
};

/**
 * Human-readable name of a property identifier.
 * @return a static string, or NULL for an unknown identifier
 */
LIBMQTT_API const char* MQTTPropertyName(enum MQTTPropertyCodes value);

/** The value type of each property, i.e. which member of MQTTProperty.value is live. */
enum MQTTPropertyTypes {
  MQTTPROPERTY_TYPE_BYTE,                   /**< value.byte */
  MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER,       /**< value.integer2 */
  MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER,      /**< value.integer4 */
  MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER,  /**< value.integer4 */
  MQTTPROPERTY_TYPE_BINARY_DATA,            /**< value.data */
  MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING,   /**< value.data */
  MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR       /**< value.data (name) and value.value */
};

/**
 * The value type of a property identifier.
 * @return an MQTTPropertyTypes value, or -1 for an unknown identifier
 */
LIBMQTT_API int MQTTProperty_getType(enum MQTTPropertyCodes value);

/** Bytes with an explicit length; not necessarily NUL-terminated. */
typedef struct
{
	int len;    /**< number of bytes at data */
	char* data; /**< the bytes */
} MQTTLenString;

/** One property: an identifier and a value whose member depends on the identifier's type. */
typedef struct
{
  enum MQTTPropertyCodes identifier; /**< which property */
  /** the value; see enum MQTTPropertyTypes for the live member */
  union {
    unsigned char byte;       /**< byte properties */
    unsigned short integer2;  /**< two-byte integers */
    unsigned int integer4;    /**< four-byte and variable byte integers */
    struct {
      MQTTLenString data;     /**< binary data, string, or a user property's name */
      MQTTLenString value;    /**< a user property's value */
    };
  } value;
} MQTTProperty;

/** A list of properties in the order they were added or received. */
typedef struct MQTTProperties
{
  int count;     /**< entries in use */
  int max_count; /**< entries allocated */
  int length;    /**< encoded size on the wire, without its length prefix */
  MQTTProperty *array;  /**< the entries (malloc'ed), or NULL */
} MQTTProperties;

/** An empty property list. */
#define MQTTProperties_initializer {0, 0, 0, NULL}

/**
 * Encoded size of a property list, length prefix included (library internal).
 */
int MQTTProperties_len(MQTTProperties* props);

/**
 * Appends a copy of a property (its strings and data are copied).
 * @return 0 on success, nonzero if the identifier is unknown, the property may not
 *         appear twice and is already present, or memory ran out
 */
LIBMQTT_API int MQTTProperties_add(MQTTProperties* props, const MQTTProperty* prop);

/**
 * Serialises a property list at *pptr and advances it (library internal).
 */
int MQTTProperties_write(char** pptr, const MQTTProperties* properties);

/**
 * Parses a property list from *pptr, not past enddata, and advances it (library internal).
 */
int MQTTProperties_read(MQTTProperties* properties, char** pptr, char* enddata);

/**
 * Frees every entry and the array, and resets the list to empty.
 * The MQTTProperties struct itself is not freed.
 */
LIBMQTT_API void MQTTProperties_free(MQTTProperties* properties);

/**
 * Deep copy of a property list.
 * @return the copy; release it with MQTTProperties_free
 */
LIBMQTT_API MQTTProperties MQTTProperties_copy(const MQTTProperties* props);

/**
 * @return nonzero if the list holds at least one property with this identifier
 */
LIBMQTT_API int MQTTProperties_hasProperty(MQTTProperties *props, enum MQTTPropertyCodes propid);

/**
 * @return how many properties with this identifier the list holds
 */
LIBMQTT_API int MQTTProperties_propertyCount(MQTTProperties *props, enum MQTTPropertyCodes propid);

/**
 * Integer value of the first property with this identifier.
 * @return the value, or MQTT_INVALID_PROPERTY_ID if absent or not an integer
 */
LIBMQTT_API int MQTTProperties_getNumericValue(MQTTProperties *props, enum MQTTPropertyCodes propid);

/**
 * Integer value of the index-th (from 0) property with this identifier.
 * @return the value, or MQTT_INVALID_PROPERTY_ID if there is no such entry
 */
LIBMQTT_API int MQTTProperties_getNumericValueAt(MQTTProperties *props, enum MQTTPropertyCodes propid, int index);

/**
 * The first property with this identifier.
 * @return a pointer into the list, or NULL
 */
LIBMQTT_API MQTTProperty* MQTTProperties_getProperty(MQTTProperties *props, enum MQTTPropertyCodes propid);

/**
 * The index-th (from 0) property with this identifier.
 * @return a pointer into the list, or NULL
 */
LIBMQTT_API MQTTProperty* MQTTProperties_getPropertyAt(MQTTProperties *props, enum MQTTPropertyCodes propid, int index);

#endif /* MQTTPROPERTIES_H */
