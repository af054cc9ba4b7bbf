/*
 * SPDX-License-Identifier: EPL-2.0 OR BSD-3-Clause
 *
 * paho-mqtt-c-rs: a Rust implementation of the Eclipse Paho MQTT C client API.
 *
 * MQTT 5 subscription options, one set per topic filter.
 */
#if !defined(SUBOPTS_H)
#define SUBOPTS_H

/** Per-filter options of an MQTT 5 SUBSCRIBE. */
typedef struct MQTTSubscribe_options
{
	/** Always "MQSO". */
	char struct_id[4];
	/** Always 0. */
	int struct_version;
	/** 1: the server must not send our own publications back to us on this filter. */
	unsigned char noLocal;
	/** 1: forward the retain flag as the publisher set it instead of clearing it. */
	unsigned char retainAsPublished;
	/** When to send retained messages: 0 at every subscribe, 1 only if the
	 *  subscription is new, 2 never. */
	unsigned char retainHandling;
} MQTTSubscribe_options;

/** Default subscription options: all off. */
#define MQTTSubscribe_options_initializer { {'M', 'Q', 'S', 'O'}, 0, 0, 0, 0 }

#endif /* SUBOPTS_H */
