/* MQTTAsync_publish: the asynchronous API: connects, publishes "Hello World!" to
 * "MQTT Examples" at QoS 1 from the connect callback, disconnects once it is delivered.
 * argv[1], if given, is the server URI. Exits 1 if any step fails. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "MQTTAsync.h"

#define ADDRESS "tcp://mqtt.eclipseprojects.io:1883"
#define CLIENTID "ExampleClientPub"
#define TOPIC "MQTT Examples"
#define PAYLOAD "Hello World!"
#define QOS 1

static volatile int finished = 0;
static volatile int failed = 0;

static void connlost(void* context, char* cause)
{
	(void)context;
	printf("\nConnection lost\n     cause: %s\n", cause ? cause : "(unknown)");
	failed = 1;
	finished = 1;
}

static void on_disconnect(void* context, MQTTAsync_successData* response)
{
	(void)context;
	(void)response;
	printf("Successful disconnection\n");
	finished = 1;
}

static void on_disconnect_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Disconnect failed, rc %d\n", response ? response->code : 0);
	failed = 1;
	finished = 1;
}

static void on_send(void* context, MQTTAsync_successData* response)
{
	MQTTAsync client = (MQTTAsync)context;
	MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
	int rc;

	printf("Message with token value %d delivery confirmed\n", response->token);
	opts.onSuccess = on_disconnect;
	opts.onFailure = on_disconnect_failure;
	opts.context = client;
	if ((rc = MQTTAsync_disconnect(client, &opts)) != MQTTASYNC_SUCCESS)
	{
		printf("Failed to start disconnect, return code %d\n", rc);
		failed = 1;
		finished = 1;
	}
}

static void on_send_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Message send failed token %d error code %d\n", response->token, response->code);
	failed = 1;
	finished = 1;
}

static void on_connect_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Connect failed, rc %d\n", response ? response->code : 0);
	failed = 1;
	finished = 1;
}

static void on_connect(void* context, MQTTAsync_successData* response)
{
	MQTTAsync client = (MQTTAsync)context;
	MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
	MQTTAsync_message msg = MQTTAsync_message_initializer;
	int rc;

	(void)response;
	printf("Successful connection\n");
	opts.onSuccess = on_send;
	opts.onFailure = on_send_failure;
	opts.context = client;
	msg.payload = PAYLOAD;
	msg.payloadlen = (int)strlen(PAYLOAD);
	msg.qos = QOS;
	if ((rc = MQTTAsync_sendMessage(client, TOPIC, &msg, &opts)) != MQTTASYNC_SUCCESS)
	{
		printf("Failed to start sendMessage, return code %d\n", rc);
		failed = 1;
		finished = 1;
	}
}

int main(int argc, char* argv[])
{
	const char* address = argc > 1 ? argv[1] : ADDRESS;
	MQTTAsync client;
	MQTTAsync_connectOptions conn_opts = MQTTAsync_connectOptions_initializer;
	struct timespec tick = { 0, 10 * 1000000L };
	int rc;

	if ((rc = MQTTAsync_create(&client, address, CLIENTID, MQTTCLIENT_PERSISTENCE_NONE, NULL))
			!= MQTTASYNC_SUCCESS)
	{
		printf("Failed to create client object, return code %d\n", rc);
		return EXIT_FAILURE;
	}
	MQTTAsync_setCallbacks(client, NULL, connlost, NULL, NULL);
	conn_opts.keepAliveInterval = 20;
	conn_opts.cleansession = 1;
	conn_opts.onSuccess = on_connect;
	conn_opts.onFailure = on_connect_failure;
	conn_opts.context = client;
	if ((rc = MQTTAsync_connect(client, &conn_opts)) != MQTTASYNC_SUCCESS)
	{
		printf("Failed to start connect, return code %d\n", rc);
		MQTTAsync_destroy(&client);
		return EXIT_FAILURE;
	}
	printf("Waiting for publication of %s\non topic %s for client with ClientID: %s\n",
		PAYLOAD, TOPIC, CLIENTID);
	fflush(stdout);
	while (!finished)
		nanosleep(&tick, NULL);
	MQTTAsync_destroy(&client);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
