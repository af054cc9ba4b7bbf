/* paho_c_sub: subscribes with the asynchronous MQTTAsync API and prints each message
 * until interrupted (SIGINT or SIGTERM: it then disconnects and exits 0).
 *
 * Options and defaults are those of Eclipse Paho's paho_c_sub; run it with --help.
 * Unlike Paho's, a failed connect or subscribe ends it with a non-zero exit code. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "async_connect.h"
#include "async_wait.h"
#include "tool_opts.h"

static struct tool_opts opts;
static struct async_wait subscribed;
static struct async_op subscribe_op = { &subscribed, "Subscribe", &opts };
static volatile int stopping = 0;
static volatile int connection_lost = 0;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int message_arrived(void* context, char* topic, int topiclen, MQTTAsync_message* msg)
{
	(void)context;
	(void)topiclen;
	if (!(opts.no_retained && msg->retained))
		tool_print_message(&opts, topic, msg->payload, msg->payloadlen,
			opts.mqtt_version == MQTTVERSION_5 ? &msg->properties : NULL);
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static void on_connection_lost(void* context, char* cause)
{
	(void)context;
	tool_error(&opts, "Connection lost%s%s\n", cause ? ": " : "", cause ? cause : "");
	connection_lost = 1;
	stopping = 1;
}

static void on_subscribe(void* context, MQTTAsync_successData* response)
{
	(void)context;
	/* 0x80 as the granted QoS: refused */
	if (response && response->alt.qos == 0x80)
	{
		tool_error(&opts, "Subscribe refused by the server\n");
		async_wait_done(&subscribed, 0, 0x80);
	}
	else
		async_wait_done(&subscribed, 1, 0);
}

int main(int argc, char** argv)
{
	MQTTAsync client = NULL;
	MQTTAsync_responseOptions resp = MQTTAsync_responseOptions_initializer;
	struct async_wait never;
	struct sigaction sa;
	int exit_code = TOOL_EXIT_OK;
	int rc;

	tool_parse(&opts, "paho_c_sub", 0, 1, async_tool_print_version, argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	async_tool_trace(&opts);
	async_wait_init(&subscribed);
	if (opts.verbose)
		printf("URL is %s\n", tool_url(&opts));
	if (async_tool_create(&opts, &client) != MQTTASYNC_SUCCESS)
		return TOOL_EXIT_CONNECT;
	MQTTAsync_setCallbacks(client, NULL, on_connection_lost, message_arrived, NULL);
	if (async_tool_connect(&opts, client) != MQTTASYNC_SUCCESS)
	{
		MQTTAsync_destroy(&client);
		return TOOL_EXIT_CONNECT;
	}

	if (opts.verbose)
	{
		printf("Subscribing to topic %s with client %s at QoS %d\n", opts.topic, opts.clientid,
			opts.qos);
		fflush(stdout);
	}
	if (opts.mqtt_version == MQTTVERSION_5)
	{
		resp.onSuccess5 = async_op_success5;
		resp.onFailure5 = async_op_failure5;
	}
	else
	{
		resp.onSuccess = on_subscribe;
		resp.onFailure = async_op_failure;
	}
	resp.context = &subscribe_op;
	async_wait_start(&subscribed);
	rc = MQTTAsync_subscribe(client, opts.topic, opts.qos, &resp);
	if (rc != MQTTASYNC_SUCCESS)
	{
		tool_error(&opts, "Failed to start subscribe, return code %s\n", MQTTAsync_strerror(rc));
		async_wait_done(&subscribed, 0, rc);
	}
	async_wait_all(&subscribed, &stopping, -1);
	if (subscribed.failed)
	{
		exit_code = TOOL_EXIT_MQTT;
		stopping = 1;
	}

	/* print messages (on the library's thread) until a signal or a lost connection */
	async_wait_init(&never);
	async_wait_start(&never);
	async_wait_all(&never, &stopping, -1);
	if (connection_lost)
		exit_code = TOOL_EXIT_MQTT;
	else if (MQTTAsync_isConnected(client))
		async_tool_disconnect(&opts, client);
	MQTTAsync_destroy(&client);
	return exit_code;
}
