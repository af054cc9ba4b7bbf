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
#include "sync_connect.h"
#include "tool_opts.h"

static struct tool_opts opts;
static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char** argv)
{
	MQTTClient client = NULL;
	struct sigaction sa;
	int exit_code = TOOL_EXIT_OK;
	int rc;

	tool_parse(&opts, "paho_cs_sub", 0, 0, sync_tool_print_version, argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((exit_code = sync_tool_connect(&opts, &client)) != TOOL_EXIT_OK)
		return exit_code;
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
