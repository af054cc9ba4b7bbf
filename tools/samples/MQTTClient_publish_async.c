/* MQTTClient_publish_async: the synchronous API with callbacks: publishes "Hello World!" to
 * "MQTT Examples" at QoS 1 and learns of its delivery in the deliveryComplete callback.
 * argv[1], if given, is the server URI. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "MQTTClient.h"

#define ADDRESS "tcp://mqtt.eclipseprojects.io:1883"
#define CLIENTID "ExampleClientPub"
#define TOPIC "MQTT Examples"
#define PAYLOAD "Hello World!"
#define QOS 1

static volatile MQTTClient_deliveryToken delivered_token;

static void delivered(void* context, MQTTClient_deliveryToken dt)
{
	(void)context;
	printf("Message with token value %d delivery confirmed\n", dt);
	delivered_token = dt;
}

static int msgarrvd(void* context, char* topic, int topiclen, MQTTClient_message* message)
{
	(void)context;
	(void)topiclen;
	printf("Message arrived\n     topic: %s\n   message: %.*s\n", topic, message->payloadlen,
		(char*)message->payload);
	MQTTClient_freeMessage(&message);
	MQTTClient_free(topic);
	return 1;
}

static void connlost(void* context, char* cause)
{
	(void)context;
	printf("\nConnection lost\n     cause: %s\n", cause ? cause : "(unknown)");
}

int main(int argc, char* argv[])
{
	const char* address = argc > 1 ? argv[1] : ADDRESS;
	MQTTClient client;
	MQTTClient_connectOptions conn_opts = MQTTClient_connectOptions_initializer;
	MQTTClient_message msg = MQTTClient_message_initializer;
	MQTTClient_deliveryToken token;
	struct timespec tick = { 0, 10 * 1000000L };
	int waited, rc;

	if ((rc = MQTTClient_create(&client, address, CLIENTID, MQTTCLIENT_PERSISTENCE_NONE, NULL))
			!= MQTTCLIENT_SUCCESS)
	{
		printf("Failed to create client, return code %d\n", rc);
		return EXIT_FAILURE;
	}
	if ((rc = MQTTClient_setCallbacks(client, NULL, connlost, msgarrvd, delivered))
			!= MQTTCLIENT_SUCCESS)
	{
		printf("Failed to set callbacks, return code %d\n", rc);
		MQTTClient_destroy(&client);
		return EXIT_FAILURE;
	}
	conn_opts.keepAliveInterval = 20;
	conn_opts.cleansession = 1;
	if ((rc = MQTTClient_connect(client, &conn_opts)) != MQTTCLIENT_SUCCESS)
	{
		printf("Failed to connect, return code %d\n", rc);
		MQTTClient_destroy(&client);
		return EXIT_FAILURE;
	}
	msg.payload = PAYLOAD;
	msg.payloadlen = (int)strlen(PAYLOAD);
	msg.qos = QOS;
	delivered_token = 0;
	if ((rc = MQTTClient_publishMessage(client, TOPIC, &msg, &token)) != MQTTCLIENT_SUCCESS)
		printf("Failed to publish message, return code %d\n", rc);
	else
	{
		printf("Waiting for publication of %s\non topic %s for client with ClientID: %s\n",
			PAYLOAD, TOPIC, CLIENTID);
		/* the callback arrives on another thread; give it up to 10 s */
		for (waited = 0; delivered_token != token && waited < 1000; ++waited)
			nanosleep(&tick, NULL);
		if (delivered_token != token)
			rc = MQTTCLIENT_FAILURE;
	}
	if (MQTTClient_disconnect(client, 10000) != MQTTCLIENT_SUCCESS)
		printf("Failed to disconnect\n");
	MQTTClient_destroy(&client);
	return rc == MQTTCLIENT_SUCCESS ? EXIT_SUCCESS : EXIT_FAILURE;
}
