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
#include "sync_connect.h"
#include "tool_opts.h"

static struct tool_opts opts;

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
	int exit_code = TOOL_EXIT_OK;
	int rc;

	tool_parse(&opts, "paho_cs_pub", 1, 0, sync_tool_print_version, argc, argv);
	if ((exit_code = sync_tool_connect(&opts, &client)) != TOOL_EXIT_OK)
		return exit_code;
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
