/* MQTTClient_subscribe: subscribes to "MQTT Examples" at QoS 1 and prints what arrives
 * until Q or q and Enter is typed (or stdin ends). argv[1], if given, is the server URI. */
#include <stdio.h>
#include <stdlib.h>

#include "MQTTClient.h"

#define ADDRESS "tcp://mqtt.eclipseprojects.io:1883"
#define CLIENTID "ExampleClientSub"
#define TOPIC "MQTT Examples"
#define QOS 1

static int msgarrvd(void* context, char* topic, int topiclen, MQTTClient_message* message)
{
	(void)context;
	(void)topiclen;
	printf("Message arrived\n     topic: %s\n   message: %.*s\n", topic, message->payloadlen,
		(char*)message->payload);
	fflush(stdout);
	MQTTClient_freeMessage(&message);
	MQTTClient_free(topic);
	return 1;
}

static void connlost(void* context, char* cause)
{
	(void)context;
	printf("\nConnection lost\n     cause: %s\n", cause ? cause : "(unknown)");
	fflush(stdout);
}

int main(int argc, char* argv[])
{
	const char* address = argc > 1 ? argv[1] : ADDRESS;
	MQTTClient client;
	MQTTClient_connectOptions conn_opts = MQTTClient_connectOptions_initializer;
	int rc, ch;

	if ((rc = MQTTClient_create(&client, address, CLIENTID, MQTTCLIENT_PERSISTENCE_NONE, NULL))
			!= MQTTCLIENT_SUCCESS)
	{
		printf("Failed to create client, return code %d\n", rc);
		return EXIT_FAILURE;
	}
	MQTTClient_setCallbacks(client, NULL, connlost, msgarrvd, NULL);
	conn_opts.keepAliveInterval = 20;
	conn_opts.cleansession = 1;
	if ((rc = MQTTClient_connect(client, &conn_opts)) != MQTTCLIENT_SUCCESS)
	{
		printf("Failed to connect, return code %d\n", rc);
		MQTTClient_destroy(&client);
		return EXIT_FAILURE;
	}
	printf("Subscribing to topic %s\nfor client %s using QoS%d\n\n"
		"Press Q<Enter> to quit\n\n", TOPIC, CLIENTID, QOS);
	fflush(stdout);
	if ((rc = MQTTClient_subscribe(client, TOPIC, QOS)) != MQTTCLIENT_SUCCESS)
	{
		printf("Failed to subscribe, return code %d\n", rc);
		rc = EXIT_FAILURE;
	}
	else
	{
		do
			ch = getchar();
		while (ch != 'Q' && ch != 'q' && ch != EOF);
		MQTTClient_unsubscribe(client, TOPIC);
		rc = EXIT_SUCCESS;
	}
	if (MQTTClient_disconnect(client, 10000) != MQTTCLIENT_SUCCESS)
		printf("Failed to disconnect\n");
	MQTTClient_destroy(&client);
	return rc;
}
