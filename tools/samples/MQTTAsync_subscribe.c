/* MQTTAsync_subscribe: the asynchronous API: subscribes to "MQTT Examples" at QoS 1 from
 * the connect callback and prints what arrives until Q or q and Enter is typed (or stdin
 * ends). argv[1], if given, is the server URI. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "MQTTAsync.h"

#define ADDRESS "tcp://mqtt.eclipseprojects.io:1883"
#define CLIENTID "ExampleClientSub"
#define TOPIC "MQTT Examples"
#define QOS 1

static volatile int subscribed = 0;
static volatile int failed = 0;
static volatile int disconnected = 0;

static void connlost(void* context, char* cause)
{
	(void)context;
	printf("\nConnection lost\n     cause: %s\n", cause ? cause : "(unknown)");
	fflush(stdout);
	failed = 1;
}

static int msgarrvd(void* context, char* topic, int topiclen, MQTTAsync_message* message)
{
	(void)context;
	(void)topiclen;
	printf("Message arrived\n     topic: %s\n   message: %.*s\n", topic, message->payloadlen,
		(char*)message->payload);
	fflush(stdout);
	MQTTAsync_freeMessage(&message);
	MQTTAsync_free(topic);
	return 1;
}

static void on_disconnect(void* context, MQTTAsync_successData* response)
{
	(void)context;
	(void)response;
	printf("Successful disconnection\n");
	disconnected = 1;
}

static void on_disconnect_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Disconnect failed, rc %d\n", response ? response->code : 0);
	disconnected = 1;
}

static void on_subscribe(void* context, MQTTAsync_successData* response)
{
	(void)context;
	(void)response;
	printf("Subscribe succeeded\n");
	fflush(stdout);
	subscribed = 1;
}

static void on_subscribe_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Subscribe failed, rc %d\n", response ? response->code : 0);
	failed = 1;
}

static void on_connect_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Connect failed, rc %d\n", response ? response->code : 0);
	failed = 1;
}

static void on_connect(void* context, MQTTAsync_successData* response)
{
	MQTTAsync client = (MQTTAsync)context;
	MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
	int rc;

	(void)response;
	printf("Successful connection\n");
	printf("Subscribing to topic %s\nfor client %s using QoS%d\n\n"
		"Press Q<Enter> to quit\n\n", TOPIC, CLIENTID, QOS);
	fflush(stdout);
	opts.onSuccess = on_subscribe;
	opts.onFailure = on_subscribe_failure;
	opts.context = client;
	if ((rc = MQTTAsync_subscribe(client, TOPIC, QOS, &opts)) != MQTTASYNC_SUCCESS)
	{
		printf("Failed to start subscribe, return code %d\n", rc);
		failed = 1;
	}
}

int main(int argc, char* argv[])
{
	const char* address = argc > 1 ? argv[1] : ADDRESS;
	MQTTAsync client;
	MQTTAsync_connectOptions conn_opts = MQTTAsync_connectOptions_initializer;
	MQTTAsync_disconnectOptions disc_opts = MQTTAsync_disconnectOptions_initializer;
	struct timespec tick = { 0, 10 * 1000000L };
	int rc, ch;

	if ((rc = MQTTAsync_create(&client, address, CLIENTID, MQTTCLIENT_PERSISTENCE_NONE, NULL))
			!= MQTTASYNC_SUCCESS)
	{
		printf("Failed to create client, return code %d\n", rc);
		return EXIT_FAILURE;
	}
	MQTTAsync_setCallbacks(client, client, connlost, msgarrvd, NULL);
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
	while (!subscribed && !failed)
		nanosleep(&tick, NULL);
	if (!failed)
	{
		do
			ch = getchar();
		while (ch != 'Q' && ch != 'q' && ch != EOF);
	}
	disc_opts.onSuccess = on_disconnect;
	disc_opts.onFailure = on_disconnect_failure;
	if (MQTTAsync_isConnected(client) && MQTTAsync_disconnect(client, &disc_opts) == MQTTASYNC_SUCCESS)
		while (!disconnected)
			nanosleep(&tick, NULL);
	MQTTAsync_destroy(&client);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
