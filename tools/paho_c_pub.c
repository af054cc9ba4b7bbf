/* paho_c_pub: publishes messages with the asynchronous MQTTAsync API.
 *
 *   paho_c_pub -t topic -m message      one message
 *   paho_c_pub -t topic -f file         the file as one message
 *   paho_c_pub -t topic < input         one message per delimiter (default newline)
 *
 * Options and defaults are those of Eclipse Paho's paho_c_pub; run it with --help.
 * Unlike Paho's, it ends at the end of its input and exits non-zero when the connection
 * or a publication failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTAsync.h"
#include "async_connect.h"
#include "async_wait.h"
#include "tool_opts.h"

static struct tool_opts opts;
static struct async_wait publishes;
static volatile int connection_lost = 0;
static struct async_op publish_op = { &publishes, "Publish", &opts };


static void on_connection_lost(void* context, char* cause)
{
	(void)context;
	tool_error(&opts, "Connection lost%s%s\n", cause ? ": " : "", cause ? cause : "");
	connection_lost = 1;
	/* nothing in flight will complete now */
	pthread_mutex_lock(&publishes.lock);
	pthread_cond_broadcast(&publishes.cond);
	pthread_mutex_unlock(&publishes.lock);
}

static int message_arrived(void* context, char* topic, int topiclen, MQTTAsync_message* msg)
{
	(void)context;
	(void)topiclen;
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static int publish(MQTTAsync client, const char* payload, int len)
{
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	MQTTAsync_responseOptions resp = MQTTAsync_responseOptions_initializer;
	int rc;

	msg.payload = (void*)payload;
	msg.payloadlen = len;
	msg.qos = opts.qos;
	msg.retained = opts.retained;
	if (opts.mqtt_version == MQTTVERSION_5)
	{
		tool_publish_properties(&opts, &msg.properties);
		resp.onSuccess5 = async_op_success5;
		resp.onFailure5 = async_op_failure5;
	}
	else
	{
		resp.onSuccess = async_op_success;
		resp.onFailure = async_op_failure;
	}
	resp.context = &publish_op;
	async_wait_start(&publishes);
	rc = MQTTAsync_sendMessage(client, opts.topic, &msg, &resp);
	MQTTProperties_free(&msg.properties);
	if (rc != MQTTASYNC_SUCCESS)
	{
		async_wait_done(&publishes, 0, rc);
		tool_error(&opts, "Error from MQTTAsync_sendMessage: %s\n", MQTTAsync_strerror(rc));
	}
	return rc;
}

int main(int argc, char** argv)
{
	MQTTAsync client = NULL;
	int exit_code = TOOL_EXIT_OK;
	int rc;

	tool_parse(&opts, "paho_c_pub", 1, 1, async_tool_print_version, argc, argv);
	async_tool_trace(&opts);
	async_wait_init(&publishes);
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
		printf("Connected\n");

	if (opts.message || opts.null_message)
	{
		const char* m = opts.message ? opts.message : "";

		publish(client, m, (int)strlen(m));
	}
	else if (opts.filename)
	{
		int len = 0;
		char* data = tool_read_file(&opts, &len);

		if (data == NULL)
			exit_code = TOOL_EXIT_USAGE;
		else
			publish(client, data, len);
		free(data);
	}
	else
	{
		char* buf = NULL;
		int len;

		while (!connection_lost && (len = tool_read_stdin_message(&opts, &buf)) >= 0)
			if (publish(client, buf, len) != MQTTASYNC_SUCCESS)
				break;
		free(buf);
	}

	if (async_wait_all(&publishes, &connection_lost, 60000) > 0 && exit_code == TOOL_EXIT_OK)
	{
		tool_error(&opts, "%d publications not completed\n", publishes.pending);
		exit_code = TOOL_EXIT_MQTT;
	}
	if (publishes.failed && exit_code == TOOL_EXIT_OK)
		exit_code = TOOL_EXIT_MQTT;
	if (connection_lost && exit_code == TOOL_EXIT_OK)
		exit_code = TOOL_EXIT_MQTT;

	if (!connection_lost && MQTTAsync_isConnected(client))
	{
		rc = async_tool_disconnect(&opts, client);
		if (rc != MQTTASYNC_SUCCESS && exit_code == TOOL_EXIT_OK)
			exit_code = TOOL_EXIT_MQTT;
	}
	MQTTAsync_destroy(&client);
	return exit_code;
}
