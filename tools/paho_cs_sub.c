/* paho_cs_sub: subscribes with the synchronous MQTTClient API and prints each message
 * until interrupted (SIGINT or SIGTERM: it then disconnects and exits 0).
 *
 * Options and defaults are those of Eclipse Paho's paho_cs_sub; run it with --help. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "tool_opts.h"

static struct tool_opts opts;
static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void print_version(void)
{
	MQTTClient_nameValue* info = MQTTClient_getVersionInfo();

	for (; info && info->name; ++info)
		fprintf(stderr, "%s: %s\n", info->name, info->value);
}

static void trace_callback(enum MQTTCLIENT_TRACE_LEVELS level, char* message)
{
	tool_trace_line((int)level, message);
}

int main(int argc, char** argv)
{
	MQTTClient client = NULL;
	MQTTClient_createOptions create_opts = MQTTClient_createOptions_initializer;
	MQTTClient_connectOptions conn_opts = MQTTClient_connectOptions_initializer;
	MQTTClient_connectOptions conn_opts5 = MQTTClient_connectOptions_initializer5;
	MQTTClient_willOptions will = MQTTClient_willOptions_initializer;
	MQTTClient_SSLOptions ssl = MQTTClient_SSLOptions_initializer;
	struct sigaction sa;
	const char* url;
	int exit_code = TOOL_EXIT_OK;
	int rc;

	tool_parse(&opts, "paho_cs_sub", 0, 0, print_version, argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (opts.trace_level)
	{
		MQTTClient_setTraceCallback(trace_callback);
		MQTTClient_setTraceLevel((enum MQTTCLIENT_TRACE_LEVELS)opts.trace_level);
	}
	url = tool_url(&opts);
	if (opts.verbose)
		printf("URL is %s\n", url);

	create_opts.MQTTVersion = opts.mqtt_version;
	rc = MQTTClient_createWithOptions(&client, url, opts.clientid, MQTTCLIENT_PERSISTENCE_NONE,
			NULL, &create_opts);
	if (rc != MQTTCLIENT_SUCCESS)
	{
		tool_error(&opts, "Failed to create client for %s, return code: %s\n", url,
			MQTTClient_strerror(rc));
		return TOOL_EXIT_CONNECT;
	}

	if (opts.mqtt_version == MQTTVERSION_5)
	{
		conn_opts = conn_opts5;
		conn_opts.cleanstart = 1;
	}
	else
	{
		conn_opts.cleansession = 1;
		conn_opts.MQTTVersion = opts.mqtt_version;
	}
	conn_opts.keepAliveInterval = opts.keepalive;
	conn_opts.username = opts.username;
	conn_opts.password = opts.password;
	conn_opts.httpProxy = opts.http_proxy;
	conn_opts.httpsProxy = opts.https_proxy;
	if (opts.will_topic)
	{
		will.topicName = opts.will_topic;
		will.qos = opts.will_qos;
		will.retained = opts.will_retain;
		if (opts.will_payload)
			will.message = opts.will_payload;
		else
		{
			will.message = NULL;
			will.payload.data = "";
			will.payload.len = 0;
		}
		conn_opts.will = &will;
	}
	if (tool_wants_tls(&opts))
	{
		ssl.trustStore = opts.cafile;
		ssl.CApath = opts.capath;
		ssl.keyStore = opts.cert;
		ssl.privateKey = opts.key;
		ssl.privateKeyPassword = opts.keypass;
		ssl.enabledCipherSuites = opts.ciphers;
		ssl.verify = opts.insecure ? 0 : 1;
		if (opts.psk)
		{
			ssl.ssl_psk_cb = tool_psk_cb;
			ssl.ssl_psk_context = &opts;
		}
		conn_opts.ssl = &ssl;
	}

	if (opts.verbose)
		printf("Connecting\n");
	if (opts.mqtt_version == MQTTVERSION_5)
	{
		MQTTResponse resp = MQTTClient_connect5(client, &conn_opts, NULL, NULL);

		rc = resp.reasonCode;
		MQTTResponse_free(resp);
	}
	else
		rc = MQTTClient_connect(client, &conn_opts);
	if (rc != MQTTCLIENT_SUCCESS)
	{
		if (rc > 0 && opts.mqtt_version == MQTTVERSION_5)
			tool_error(&opts, "Connect failed, reason code %d %s\n", rc, MQTTReasonCode_toString(rc));
		else if (rc > 0)
			tool_error(&opts, "Connect failed, CONNACK return code %d\n", rc);
		else
			tool_error(&opts, "Connect failed, return code: %s\n", MQTTClient_strerror(rc));
		MQTTClient_destroy(&client);
		return TOOL_EXIT_CONNECT;
	}
	if (opts.verbose)
		fprintf(stderr, "Connected\n");

	if (opts.mqtt_version == MQTTVERSION_5)
	{
		MQTTResponse resp = MQTTClient_subscribe5(client, opts.topic, opts.qos, NULL, NULL);

		rc = resp.reasonCode;
		MQTTResponse_free(resp);
		/* a granted QoS (0..2) is success; 0x80 and up is a refusal */
		if (rc >= 0 && rc <= 2)
			rc = MQTTCLIENT_SUCCESS;
	}
	else
	{
		rc = MQTTClient_subscribe(client, opts.topic, opts.qos);
		/* 0x80 as the granted QoS: the broker refused the subscription */
		if (rc == 0x80)
			rc = MQTTCLIENT_FAILURE;
	}
	if (rc != MQTTCLIENT_SUCCESS)
	{
		tool_error(&opts, "Error subscribing to %s: %d %s\n", opts.topic, rc,
			rc < 0 ? MQTTClient_strerror(rc) : MQTTReasonCode_toString(rc));
		exit_code = TOOL_EXIT_MQTT;
		stopping = 1;
	}

	while (!stopping)
	{
		char* topic = NULL;
		int topiclen = 0;
		MQTTClient_message* msg = NULL;

		rc = MQTTClient_receive(client, &topic, &topiclen, &msg, 1000);
		if (rc == MQTTCLIENT_DISCONNECTED || !MQTTClient_isConnected(client))
		{
			tool_error(&opts, "Connection lost\n");
			exit_code = TOOL_EXIT_MQTT;
			break;
		}
		if (msg)
		{
			if (!(opts.no_retained && msg->retained))
				tool_print_message(&opts, topic, msg->payload, msg->payloadlen,
					opts.mqtt_version == MQTTVERSION_5 ? &msg->properties : NULL);
			MQTTClient_freeMessage(&msg);
			MQTTClient_free(topic);
		}
	}

	if (MQTTClient_isConnected(client))
	{
		if (opts.mqtt_version == MQTTVERSION_5)
			rc = MQTTClient_disconnect5(client, 0, MQTTREASONCODE_SUCCESS, NULL);
		else
			rc = MQTTClient_disconnect(client, 0);
		if (rc != MQTTCLIENT_SUCCESS)
			tool_error(&opts, "Failed to disconnect, return code: %s\n", MQTTClient_strerror(rc));
	}
	MQTTClient_destroy(&client);
	return exit_code;
}
