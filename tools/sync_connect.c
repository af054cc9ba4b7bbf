#include "sync_connect.h"

#include <stdio.h>

void sync_tool_print_version(void)
{
	MQTTClient_nameValue* info = MQTTClient_getVersionInfo();

	for (; info && info->name; ++info)
		fprintf(stderr, "%s: %s\n", info->name, info->value);
}

static void trace_callback(enum MQTTCLIENT_TRACE_LEVELS level, char* message)
{
	tool_trace_line((int)level, message);
}

int sync_tool_connect(struct tool_opts* opts, MQTTClient* client)
{
	MQTTClient_createOptions create_opts = MQTTClient_createOptions_initializer;
	MQTTClient_connectOptions conn_opts = MQTTClient_connectOptions_initializer;
	MQTTClient_connectOptions conn_opts5 = MQTTClient_connectOptions_initializer5;
	MQTTClient_willOptions will = MQTTClient_willOptions_initializer;
	MQTTClient_SSLOptions ssl = MQTTClient_SSLOptions_initializer;
	const char* url;
	int rc;

	if (opts->trace_level)
	{
		MQTTClient_setTraceCallback(trace_callback);
		MQTTClient_setTraceLevel((enum MQTTCLIENT_TRACE_LEVELS)opts->trace_level);
	}
	url = tool_url(opts);
	if (opts->verbose)
		printf("URL is %s\n", url);

	create_opts.MQTTVersion = opts->mqtt_version;
	rc = MQTTClient_createWithOptions(client, url, opts->clientid, MQTTCLIENT_PERSISTENCE_NONE,
			NULL, &create_opts);
	if (rc != MQTTCLIENT_SUCCESS)
	{
		tool_error(opts, "Failed to create client for %s, return code: %s\n", url,
			MQTTClient_strerror(rc));
		return TOOL_EXIT_CONNECT;
	}

	if (opts->mqtt_version == MQTTVERSION_5)
	{
		conn_opts = conn_opts5;
		conn_opts.cleanstart = 1;
	}
	else
	{
		conn_opts.cleansession = 1;
		conn_opts.MQTTVersion = opts->mqtt_version;
	}
	TOOL_FILL_CONNECT_OPTIONS(conn_opts, will, ssl, opts);

	if (opts->verbose)
		printf("Connecting\n");
	if (opts->mqtt_version == MQTTVERSION_5)
	{
		MQTTResponse resp = MQTTClient_connect5(*client, &conn_opts, NULL, NULL);

		rc = resp.reasonCode;
		MQTTResponse_free(resp);
	}
	else
		rc = MQTTClient_connect(*client, &conn_opts);
	if (rc != MQTTCLIENT_SUCCESS)
	{
		if (rc > 0 && opts->mqtt_version == MQTTVERSION_5)
			tool_error(opts, "Connect failed, reason code %d %s\n", rc, MQTTReasonCode_toString(rc));
		else if (rc > 0)
			tool_error(opts, "Connect failed, CONNACK return code %d\n", rc);
		else
			tool_error(opts, "Connect failed, return code: %s\n", MQTTClient_strerror(rc));
		MQTTClient_destroy(client);
		return TOOL_EXIT_CONNECT;
	}
	return TOOL_EXIT_OK;
}
