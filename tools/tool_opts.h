/* Command-line options shared by paho_c_pub, paho_c_sub, paho_cs_pub and paho_cs_sub.
 *
 * The option names, defaults and help text follow the tools of Eclipse Paho's
 * paho.mqtt.c-examples package, so scripts written for those keep working. */
#ifndef TOOL_OPTS_H
#define TOOL_OPTS_H

#include <stddef.h>
#include "MQTTProperties.h"

/* Exit codes: what went wrong, so scripts can tell (Paho's tools exit 0 after a failed
 * connect; ours do not). */
#define TOOL_EXIT_OK 0
#define TOOL_EXIT_USAGE 1      /* bad command line, unreadable file */
#define TOOL_EXIT_CONNECT 2    /* the client could not be created or connected */
#define TOOL_EXIT_MQTT 3       /* a publish or subscribe failed, or the connection was lost */

#define TOOL_MAX_USER_PROPERTIES 32

struct tool_opts
{
	const char* program;
	void (*print_version)(void); /* prints the library's version lines (in the usage text) */
	int publisher;       /* 1 for the _pub tools: -r -n -m -f --maxdatalen ... */
	int async_api;       /* 1 for paho_c_*, 0 for paho_cs_* */
	char* topic;
	char* connection;
	char* host;
	char* port;
	char* clientid;
	char* username;
	char* password;
	int qos;
	int keepalive;
	int mqtt_version;    /* MQTTVERSION_3_1, _3_1_1 or _5 */
	int verbose;
	int quiet;
	int trace_level;     /* 0: no trace, else an MQTTCLIENT_TRACE_LEVELS value */
	/* publisher */
	int retained;
	int null_message;
	char* message;
	char* filename;
	int maxdatalen;
	int message_expiry;  /* seconds, 0 = not sent */
	int user_property_count;
	char* user_property_names[TOOL_MAX_USER_PROPERTIES];
	char* user_property_values[TOOL_MAX_USER_PROPERTIES];
	/* subscriber */
	int no_delimiter;
	int no_retained;
	char* delimiter;
	/* will */
	char* will_topic;
	char* will_payload;
	int will_qos;
	int will_retain;
	/* TLS */
	char* cafile;
	char* capath;
	char* cert;
	char* key;
	char* keypass;
	char* ciphers;
	int insecure;
	char* psk;
	char* psk_identity;
	/* proxies */
	char* http_proxy;
	char* https_proxy;
};

/* Fills *opts from argv; on a bad command line prints the usage and exits TOOL_EXIT_USAGE. */
void tool_parse(struct tool_opts* opts, const char* program, int publisher, int async_api,
		void (*print_version)(void), int argc, char** argv);

/* The server URI to connect to: -c, or host:port. Points into static storage. */
const char* tool_url(const struct tool_opts* opts);

/* 1 if TLS options must be handed to the library: an ssl/wss/mqtts URI or any TLS option. */
int tool_wants_tls(const struct tool_opts* opts);

/* The ssl_psk_cb of the SSL options: answers with --psk-identity and the --psk bytes. */
unsigned int tool_psk_cb(const char* hint, char* identity, unsigned int max_identity_len,
		unsigned char* psk, unsigned int max_psk_len, void* context);

/* The connect options both APIs share, from the command line: keepalive, user name and
 * password, proxies, the will (--will-topic; an empty message without --will-payload) and
 * the SSL options when TLS is wanted. A macro: MQTTClient_ and MQTTAsync_ structs have the
 * same field names but are different types. `will` and `ssl` must outlive the connect. */
#define TOOL_FILL_CONNECT_OPTIONS(conn, will, ssl, opts) \
	do \
	{ \
		(conn).keepAliveInterval = (opts)->keepalive; \
		(conn).username = (opts)->username; \
		(conn).password = (opts)->password; \
		(conn).httpProxy = (opts)->http_proxy; \
		(conn).httpsProxy = (opts)->https_proxy; \
		if ((opts)->will_topic) \
		{ \
			(will).topicName = (opts)->will_topic; \
			(will).qos = (opts)->will_qos; \
			(will).retained = (opts)->will_retain; \
			(will).message = (opts)->will_payload; \
			if (!(opts)->will_payload) \
			{ \
				(will).payload.data = ""; \
				(will).payload.len = 0; \
			} \
			(conn).will = &(will); \
		} \
		if (tool_wants_tls(opts)) \
		{ \
			(ssl).trustStore = (opts)->cafile; \
			(ssl).CApath = (opts)->capath; \
			(ssl).keyStore = (opts)->cert; \
			(ssl).privateKey = (opts)->key; \
			(ssl).privateKeyPassword = (opts)->keypass; \
			(ssl).enabledCipherSuites = (opts)->ciphers; \
			(ssl).verify = (opts)->insecure ? 0 : 1; \
			if ((opts)->psk) \
			{ \
				(ssl).ssl_psk_cb = tool_psk_cb; \
				(ssl).ssl_psk_context = (void*)(opts); \
			} \
			(conn).ssl = &(ssl); \
		} \
	} while (0)

/* Error output that --quiet silences. */
void tool_error(const struct tool_opts* opts, const char* format, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* The publisher's PUBLISH properties (MQTT 5): user properties and message expiry. */
void tool_publish_properties(const struct tool_opts* opts, MQTTProperties* props);

/* Reads the whole of -f's file into a malloc'd buffer; NULL (after a message) on failure. */
char* tool_read_file(const struct tool_opts* opts, int* len);

/* Reads the next message from stdin: bytes up to and including the delimiter, or
 * --maxdatalen bytes, or what is left at end of file. A message that would be the
 * delimiter alone is not ended there (Paho's tools do the same). Returns the length,
 * or -1 at end of input. *buf is malloc'd by the first call and reused. */
int tool_read_stdin_message(const struct tool_opts* opts, char** buf);

/* Prints one received message the way Paho's subscribers do: with --verbose (or a
 * wildcard topic) the topic, a tab and (async tool) the length first; the payload; the
 * delimiter unless the payload ends with it or --no-delimiter; MQTT 5 properties with
 * --verbose. */
void tool_print_message(const struct tool_opts* opts, const char* topic, const void* payload,
		int payloadlen, const MQTTProperties* props);

/* The trace line that --trace prints (the tools' own callbacks call this). */
void tool_trace_line(int level, const char* message);

#endif
