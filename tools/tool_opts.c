/* Option parsing and message I/O shared by the four command-line tools. Public API only. */
#define _POSIX_C_SOURCE 200809L
#include "tool_opts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* For the MQTTVERSION_ and trace level constants only: the tools link one library. */
#include "MQTTClient.h"

static void usage(const struct tool_opts* opts)
{
	const char* what = opts->publisher ? "publish to" : "subscribe to";
	fprintf(stderr, "Eclipse Paho MQTT C %s\n\n", opts->publisher ? "publisher" : "subscriber");
	fprintf(stderr, "Library information:\n");
	if (opts->print_version)
		opts->print_version();
	fprintf(stderr, "\nUsage: %s [topicname] [-t topic] [-c connection] [-h host] [-p port]\n"
		"       [-q qos] [-i clientid] [-u username] [-P password] [-k keepalive_timeout]\n"
		"       [-V MQTT-version] [--quiet] [--verbose] [--trace trace-level]\n", opts->program);
	if (opts->publisher)
		fprintf(stderr, "       [-r] [-n] [-m message] [-f filename]\n"
			"       [--maxdatalen len] [--message-expiry seconds] [--user-property name value]\n");
	else
		fprintf(stderr, "       [-R] [--no-delimiter]\n");
	fprintf(stderr,
		"       [--will-topic topic] [--will-payload message] [--will-qos qos] [--will-retain]\n"
		"       [--cafile filename] [--capath dirname] [--cert filename] [--key filename]\n"
		"       [--keypass string] [--ciphers string] [--insecure]\n\n");
	fprintf(stderr, "  -t (--topic)        : MQTT topic to %s\n", what);
	fprintf(stderr,
		"  -c (--connection)   : connection URI, e.g. ssl://host:8883 or wss://host:443/ws; overrides\n"
		"                        -h and -p. No default.\n"
		"  -h (--host)         : host to connect to. Default is localhost.\n"
		"  -p (--port)         : network port to connect to. Default is 1883.\n");
	fprintf(stderr, "  -q (--qos)          : MQTT QoS to %s with (0, 1 or 2). Default is 0.\n",
		opts->publisher ? "publish" : "subscribe");
	fprintf(stderr,
		"  -V (--MQTTversion)  : MQTT version (31, 311, or 5). Default is 311.\n"
		"  --quiet             : do not print error messages.\n"
		"  --verbose           : say what is happening; subscribers print topics and properties.\n"
		"  --trace             : print the library's trace (\"error\", \"min\", \"max\" or \"protocol\").\n");
	if (opts->publisher)
		fprintf(stderr,
			"  -r (--retained)     : publish with the MQTT retain flag. Default is off.\n"
			"  -n (--null-message) : send a 0-length message.\n"
			"  -m (--message)      : the payload to send.\n"
			"  -f (--filename)     : send the contents of the named file as the payload.\n"
			"                        Without -m, -f or -n, each message read from stdin is sent.\n");
	fprintf(stderr,
		"  -i (--clientid)     : MQTT client id. Default is %s.\n"
		"  -u (--username)     : MQTT username. No default.\n"
		"  -P (--password)     : MQTT password. No default.\n"
		"  -k (--keepalive)    : MQTT keepalive interval in seconds. Default is 10.\n"
		"  --delimiter         : delimiter string. Default is \\n.\n", opts->clientid);
	if (opts->publisher)
		fprintf(stderr,
			"  --maxdatalen        : longest message read from stdin (default is 100)\n"
			"  --message-expiry    : MQTT 5 only: the message expiry interval in seconds.\n"
			"  --user-property     : MQTT 5 only: a user property (name value); may be repeated.\n");
	else
		fprintf(stderr,
			"  --no-delimiter      : print no delimiter between messages.\n"
			"  -R (--no-retained)  : do not print retained messages.\n");
	fprintf(stderr,
		"  --will-topic        : will topic on connect. No default.\n"
		"  --will-payload      : will message. With a will topic but no payload, the will is empty.\n"
		"  --will-retain       : set the retained flag on the will message. Default is off.\n"
		"  --will-qos          : the will message QoS. Default is 0.\n"
		"  --cafile            : file of trusted CA certificates (TLS).\n"
		"  --capath            : directory of trusted CA certificates (TLS).\n"
		"  --cert              : file with the client certificate (TLS).\n"
		"  --key               : file with the client private key (TLS).\n"
		"  --keypass           : password of the client private key.\n"
		"  --ciphers           : the cipher suites offered in the TLS handshake.\n"
		"  --insecure          : do not check that the server certificate matches the host name.\n"
		"  --psk               : TLS pre-shared key in hexadecimal (no leading 0x).\n"
		"  --psk-identity      : client identity for TLS-PSK.\n"
		"  --http-proxy        : HTTP proxy URI.\n"
		"  --https-proxy       : HTTPS proxy URI.\n\n"
		"Exit codes: 0 done, 1 bad command line, 2 could not connect, 3 publish, subscribe or\n"
		"connection failed.\n");
	exit(TOOL_EXIT_USAGE);
}

static int is(const char* arg, const char* short_name, const char* long_name)
{
	return (short_name && strcmp(arg, short_name) == 0) || (long_name && strcmp(arg, long_name) == 0);
}

static int to_int(const struct tool_opts* opts, const char* option, const char* value, int lo, int hi)
{
	char* end = NULL;
	long v = strtol(value, &end, 10);

	if (*value == '\0' || *end != '\0' || v < lo || v > hi)
	{
		fprintf(stderr, "%s: bad value '%s' for %s (%d..%d)\n", opts->program, value, option, lo, hi);
		usage(opts);
	}
	return (int)v;
}

void tool_parse(struct tool_opts* opts, const char* program, int publisher, int async_api,
		void (*print_version)(void), int argc, char** argv)
{
	int i = 1;

	memset(opts, 0, sizeof(*opts));
	opts->print_version = print_version;
	opts->program = program;
	opts->publisher = publisher;
	opts->async_api = async_api;
	opts->host = "localhost";
	opts->port = "1883";
	opts->keepalive = 10;
	opts->mqtt_version = MQTTVERSION_3_1_1;
	opts->delimiter = "\n";
	opts->maxdatalen = 100;
	opts->clientid = publisher ? (async_api ? "paho-c-pub" : "paho-cs-pub")
		: (async_api ? "paho-c-sub" : "paho-cs-sub");

	if (argc > 1 && argv[1][0] != '-')
	{
		opts->topic = argv[1];
		i = 2;
	}
	for (; i < argc; ++i)
	{
		const char* a = argv[i];
		const char* v = (i + 1 < argc) ? argv[i + 1] : NULL;
		int takes_value = 1;

		/* flags first */
		if (is(a, NULL, "--verbose"))
			opts->verbose = 1, takes_value = 0;
		else if (is(a, NULL, "--quiet"))
			opts->quiet = 1, takes_value = 0;
		else if (is(a, NULL, "--insecure"))
			opts->insecure = 1, takes_value = 0;
		else if (is(a, NULL, "--will-retain"))
			opts->will_retain = 1, takes_value = 0;
		else if (publisher && is(a, "-r", "--retained"))
			opts->retained = 1, takes_value = 0;
		else if (publisher && is(a, "-n", "--null-message"))
			opts->null_message = 1, takes_value = 0;
		else if (!publisher && is(a, "-R", "--no-retained"))
			opts->no_retained = 1, takes_value = 0;
		else if (!publisher && is(a, NULL, "--no-delimiter"))
			opts->no_delimiter = 1, takes_value = 0;
		if (!takes_value)
			continue;

		if (v == NULL)
		{
			fprintf(stderr, "%s: %s needs a value\n", program, a);
			usage(opts);
		}
		if (is(a, "-t", "--topic"))
			opts->topic = argv[++i];
		else if (is(a, "-c", "--connection"))
			opts->connection = argv[++i];
		else if (is(a, "-h", "--host"))
			opts->host = argv[++i];
		else if (is(a, "-p", "--port"))
			opts->port = argv[++i];
		else if (is(a, "-i", "--clientid"))
			opts->clientid = argv[++i];
		else if (is(a, "-u", "--username"))
			opts->username = argv[++i];
		else if (is(a, "-P", "--password"))
			opts->password = argv[++i];
		else if (is(a, "-q", "--qos"))
			opts->qos = to_int(opts, a, argv[++i], 0, 2);
		else if (is(a, "-k", "--keepalive"))
			opts->keepalive = to_int(opts, a, argv[++i], 0, 65535);
		else if (is(a, "-V", "--MQTTversion"))
		{
			++i;
			if (strcmp(v, "31") == 0 || strcmp(v, "mqttv31") == 0)
				opts->mqtt_version = MQTTVERSION_3_1;
			else if (strcmp(v, "311") == 0 || strcmp(v, "mqttv311") == 0)
				opts->mqtt_version = MQTTVERSION_3_1_1;
			else if (strcmp(v, "5") == 0 || strcmp(v, "mqttv5") == 0)
				opts->mqtt_version = MQTTVERSION_5;
			else
			{
				fprintf(stderr, "%s: MQTT version must be 31, 311 or 5, not '%s'\n", program, v);
				usage(opts);
			}
		}
		else if (is(a, NULL, "--trace"))
		{
			++i;
			if (strcmp(v, "error") == 0)
				opts->trace_level = MQTTCLIENT_TRACE_ERROR;
			else if (strcmp(v, "min") == 0)
				opts->trace_level = MQTTCLIENT_TRACE_MINIMUM;
			else if (strcmp(v, "max") == 0)
				opts->trace_level = MQTTCLIENT_TRACE_MAXIMUM;
			else if (strcmp(v, "protocol") == 0)
				opts->trace_level = MQTTCLIENT_TRACE_PROTOCOL;
			else
			{
				fprintf(stderr, "%s: trace level must be error, min, max or protocol, not '%s'\n",
					program, v);
				usage(opts);
			}
		}
		else if (is(a, NULL, "--delimiter"))
			opts->delimiter = argv[++i];
		else if (publisher && is(a, "-m", "--message"))
			opts->message = argv[++i];
		else if (publisher && is(a, "-f", "--filename"))
			opts->filename = argv[++i];
		else if (publisher && is(a, NULL, "--maxdatalen"))
			opts->maxdatalen = to_int(opts, a, argv[++i], 1, 268435455);
		else if (publisher && is(a, NULL, "--message-expiry"))
			opts->message_expiry = to_int(opts, a, argv[++i], 0, 2147483647);
		else if (publisher && is(a, NULL, "--user-property"))
		{
			if (i + 2 >= argc)
			{
				fprintf(stderr, "%s: --user-property needs a name and a value\n", program);
				usage(opts);
			}
			if (opts->user_property_count == TOOL_MAX_USER_PROPERTIES)
			{
				fprintf(stderr, "%s: at most %d user properties\n", program, TOOL_MAX_USER_PROPERTIES);
				usage(opts);
			}
			opts->user_property_names[opts->user_property_count] = argv[++i];
			opts->user_property_values[opts->user_property_count++] = argv[++i];
		}
		else if (is(a, NULL, "--will-topic"))
			opts->will_topic = argv[++i];
		else if (is(a, NULL, "--will-payload"))
			opts->will_payload = argv[++i];
		else if (is(a, NULL, "--will-qos"))
			opts->will_qos = to_int(opts, a, argv[++i], 0, 2);
		else if (is(a, NULL, "--cafile"))
			opts->cafile = argv[++i];
		else if (is(a, NULL, "--capath"))
			opts->capath = argv[++i];
		else if (is(a, NULL, "--cert"))
			opts->cert = argv[++i];
		else if (is(a, NULL, "--key"))
			opts->key = argv[++i];
		else if (is(a, NULL, "--keypass"))
			opts->keypass = argv[++i];
		else if (is(a, NULL, "--ciphers"))
			opts->ciphers = argv[++i];
		else if (is(a, NULL, "--psk"))
			opts->psk = argv[++i];
		else if (is(a, NULL, "--psk-identity"))
			opts->psk_identity = argv[++i];
		else if (is(a, NULL, "--http-proxy"))
			opts->http_proxy = argv[++i];
		else if (is(a, NULL, "--https-proxy"))
			opts->https_proxy = argv[++i];
		else
		{
			fprintf(stderr, "Unknown option %s\n", a);
			usage(opts);
		}
	}

	if (opts->topic == NULL)
	{
		fprintf(stderr, "%s: no topic given (-t)\n", program);
		usage(opts);
	}
	if (publisher && (!!opts->message + !!opts->filename + opts->null_message) > 1)
	{
		fprintf(stderr, "%s: -m, -f and -n exclude each other\n", program);
		usage(opts);
	}
	if (opts->delimiter[0] == '\0' && publisher)
	{
		fprintf(stderr, "%s: the delimiter must not be empty\n", program);
		usage(opts);
	}
	/* Paho's subscribers show the topic of each message when it may differ from the
	 * subscription, i.e. with a wildcard; they do that by turning on verbose output. */
	if (!publisher && (strchr(opts->topic, '#') || strchr(opts->topic, '+')))
		opts->verbose = 1;
}

const char* tool_url(const struct tool_opts* opts)
{
	static char url[1024];

	if (opts->connection)
		return opts->connection;
	snprintf(url, sizeof(url), "%s:%s", opts->host, opts->port);
	return url;
}

int tool_wants_tls(const struct tool_opts* opts)
{
	const char* url = tool_url(opts);

	return strncmp(url, "ssl://", 6) == 0 || strncmp(url, "wss://", 6) == 0 ||
		strncmp(url, "mqtts://", 8) == 0 || opts->cafile || opts->capath || opts->cert ||
		opts->key || opts->keypass || opts->ciphers || opts->insecure || opts->psk;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

unsigned int tool_psk_cb(const char* hint, char* identity, unsigned int max_identity_len,
		unsigned char* psk, unsigned int max_psk_len, void* context)
{
	const struct tool_opts* opts = context;
	size_t hexlen = strlen(opts->psk);
	unsigned int n = 0;
	size_t i;

	(void)hint;
	if (opts->psk_identity == NULL || strlen(opts->psk_identity) + 1 > max_identity_len)
		return 0;
	strcpy(identity, opts->psk_identity);
	if (hexlen % 2 != 0 || hexlen / 2 > max_psk_len)
		return 0;
	for (i = 0; i < hexlen; i += 2)
	{
		int hi = hex_value(opts->psk[i]), lo = hex_value(opts->psk[i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		psk[n++] = (unsigned char)(hi * 16 + lo);
	}
	return n;
}

void tool_error(const struct tool_opts* opts, const char* format, ...)
{
	va_list ap;

	if (opts->quiet)
		return;
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fflush(stderr);
}

void tool_publish_properties(const struct tool_opts* opts, MQTTProperties* props)
{
	MQTTProperty p;
	int i;

	for (i = 0; i < opts->user_property_count; ++i)
	{
		memset(&p, 0, sizeof(p));
		p.identifier = MQTTPROPERTY_CODE_USER_PROPERTY;
		p.value.data.data = opts->user_property_names[i];
		p.value.data.len = (int)strlen(opts->user_property_names[i]);
		p.value.value.data = opts->user_property_values[i];
		p.value.value.len = (int)strlen(opts->user_property_values[i]);
		if (MQTTProperties_add(props, &p) != 0)
			tool_error(opts, "Could not add the user property %s\n", opts->user_property_names[i]);
	}
	if (opts->message_expiry > 0)
	{
		memset(&p, 0, sizeof(p));
		p.identifier = MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL;
		p.value.integer4 = (unsigned int)opts->message_expiry;
		if (MQTTProperties_add(props, &p) != 0)
			tool_error(opts, "Could not add the message expiry property\n");
	}
}

char* tool_read_file(const struct tool_opts* opts, int* len)
{
	FILE* f = fopen(opts->filename, "rb");
	char* data = NULL;
	size_t size = 0, cap = 0, n;

	if (f == NULL)
	{
		tool_error(opts, "Could not open file %s\n", opts->filename);
		return NULL;
	}
	do
	{
		if (cap - size < 4096)
		{
			char* bigger = realloc(data, cap = cap * 2 + 4096);

			if (bigger == NULL)
			{
				free(data);
				fclose(f);
				tool_error(opts, "Out of memory reading %s\n", opts->filename);
				return NULL;
			}
			data = bigger;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	if (ferror(f) || size > 268435455)
	{
		free(data);
		fclose(f);
		tool_error(opts, "Could not read file %s\n", opts->filename);
		return NULL;
	}
	fclose(f);
	*len = (int)size;
	return data;
}

int tool_read_stdin_message(const struct tool_opts* opts, char** buf)
{
	size_t dlen = strlen(opts->delimiter);
	int len = 0;
	int c;

	if (*buf == NULL && (*buf = malloc((size_t)opts->maxdatalen + 1)) == NULL)
		return -1;
	while (len < opts->maxdatalen && (c = getchar()) != EOF)
	{
		(*buf)[len++] = (char)c;
		if ((size_t)len > dlen && memcmp(*buf + len - dlen, opts->delimiter, dlen) == 0)
			break;
	}
	return len == 0 ? -1 : len;
}

static void print_property(const MQTTProperty* p)
{
	const char* name = MQTTPropertyName(p->identifier);

	switch (MQTTProperty_getType(p->identifier))
	{
	case MQTTPROPERTY_TYPE_BYTE:
		printf("Property name %s value %d\n", name, p->value.byte);
		break;
	case MQTTPROPERTY_TYPE_TWO_BYTE_INTEGER:
		printf("Property name %s value %d\n", name, p->value.integer2);
		break;
	case MQTTPROPERTY_TYPE_FOUR_BYTE_INTEGER:
	case MQTTPROPERTY_TYPE_VARIABLE_BYTE_INTEGER:
		printf("Property name %s value %u\n", name, p->value.integer4);
		break;
	case MQTTPROPERTY_TYPE_BINARY_DATA:
	case MQTTPROPERTY_TYPE_UTF_8_ENCODED_STRING:
		/* "value len": the wording of Paho's tools, kept so their output can be compared */
		printf("Property name %s value len %.*s\n", name, p->value.data.len, p->value.data.data);
		break;
	case MQTTPROPERTY_TYPE_UTF_8_STRING_PAIR:
		printf("Property name %s key %.*s value %.*s\n", name, p->value.data.len,
			p->value.data.data, p->value.value.len, p->value.value.data);
		break;
	default:
		printf("Property name %s\n", name ? name : "(unknown)");
	}
}

void tool_print_message(const struct tool_opts* opts, const char* topic, const void* payload,
		int payloadlen, const MQTTProperties* props)
{
	size_t dlen = strlen(opts->delimiter);
	int i;

	if (opts->verbose)
	{
		if (opts->async_api)
			printf("%d ", payloadlen);
		printf("%s\t", topic);
	}
	fwrite(payload, 1, (size_t)payloadlen, stdout);
	if (!opts->no_delimiter &&
			!((size_t)payloadlen >= dlen && dlen > 0 &&
			  memcmp((const char*)payload + payloadlen - dlen, opts->delimiter, dlen) == 0))
		fputs(opts->delimiter, stdout);
	if (opts->verbose && props)
		for (i = 0; i < props->count; ++i)
			print_property(&props->array[i]);
	fflush(stdout);
}

void tool_trace_line(int level, const char* message)
{
	printf("Trace : %d, %s\n", level, message);
	fflush(stdout);
}
