/* paho_cs_pub: publishes messages with the synchronous MQTTClient API.
 *
 *   paho_cs_pub -t topic -m message      one message
 *   paho_cs_pub -t topic -f file         the file as one message
 *   paho_cs_pub -t topic < input         one message per delimiter (default newline)
 *
 * Options and defaults are those of Eclipse Paho's paho_cs_pub; run it with --help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"
#include "tool_opts.h"

static struct tool_opts opts;

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

/* Publishes one message and, at QoS 1 and 2, waits for its acknowledgement. */
static int publish(MQTTClient client, const char* payload, int len, int retained)
{
	MQTTClient_message msg = MQTTClient_message_initializer;
	MQTTClient_deliveryToken token = 0;
	int rc;

	msg.payload = (void*)payload;
	msg.payloadlen = len;
	msg.qos = opts.qos;
	msg.retained = retained;
	if (opts.mqtt_version == MQTTVERSION_5)
	{
		MQTTResponse resp;

		tool_publish_properties(&opts, &msg.properties);
		resp = MQTTClient_publishMessage5(client, opts.topic, &msg, &token);
		rc = resp.reasonCode;
		MQTTResponse_free(resp);
		MQTTProperties_free(&msg.properties);
		if (rc >= MQTTREASONCODE_UNSPECIFIED_ERROR)
		{
			tool_error(&opts, "Error publishing: reason code %d %s\n", rc, MQTTReasonCode_toString(rc));
			return rc;
		}
		rc = MQTTCLIENT_SUCCESS;
	}
	else
		rc = MQTTClient_publishMessage(client, opts.topic, &msg, &token);
	if (rc == MQTTCLIENT_SUCCESS && opts.qos > 0)
		rc = MQTTClient_waitForCompletion(client, token, 30000);
	if (rc != MQTTCLIENT_SUCCESS)
		tool_error(&opts, "Error publishing: %s\n", MQTTClient_strerror(rc));
	return rc;
}

int main(int argc, char** argv)
{
	MQTTClient client = NULL;
	MQTTClient_createOptions create_opts = MQTTClient_createOptions_initializer;
	MQTTClient_connectOptions conn_opts = MQTTClient_connectOptions_initializer;
	MQTTClient_connectOptions conn_opts5 = MQTTClient_connectOptions_initializer5;
	MQTTClient_willOptions will = MQTTClient_willOptions_initializer;
	MQTTClient_SSLOptions ssl = MQTTClient_SSLOptions_initializer;
	const char* url;
	int exit_code = TOOL_EXIT_OK;
	int rc;

	tool_parse(&opts, "paho_cs_pub", 1, 0, print_version, argc, argv);
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
			/* no payload: an empty will message */
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

	if (opts.message || opts.null_message)
	{
		const char* m = opts.message ? opts.message : "";

		if (publish(client, m, (int)strlen(m), opts.retained) != MQTTCLIENT_SUCCESS)
			exit_code = TOOL_EXIT_MQTT;
	}
	else if (opts.filename)
	{
		int len = 0;
		char* data = tool_read_file(&opts, &len);

		if (data == NULL)
			exit_code = TOOL_EXIT_USAGE;
		else if (publish(client, data, len, opts.retained) != MQTTCLIENT_SUCCESS)
			exit_code = TOOL_EXIT_MQTT;
		free(data);
	}
	else
	{
		char* buf = NULL;
		int len;

		while ((len = tool_read_stdin_message(&opts, &buf)) >= 0)
			if (publish(client, buf, len, opts.retained) != MQTTCLIENT_SUCCESS)
			{
				exit_code = TOOL_EXIT_MQTT;
				break;
			}
		free(buf);
	}

	if (opts.mqtt_version == MQTTVERSION_5)
		rc = MQTTClient_disconnect5(client, 0, MQTTREASONCODE_SUCCESS, NULL);
	else
		rc = MQTTClient_disconnect(client, 0);
	if (rc != MQTTCLIENT_SUCCESS)
	{
		tool_error(&opts, "Failed to disconnect, return code: %s\n", MQTTClient_strerror(rc));
		if (exit_code == TOOL_EXIT_OK)
			exit_code = TOOL_EXIT_MQTT;
	}
	MQTTClient_destroy(&client);
	return exit_code;
}
