/* MQTTClient_publish: connects, publishes "Hello World!" to "MQTT Examples" at QoS 1 and
 * waits for the acknowledgement (synchronous API). argv[1], if given, is the server URI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "MQTTClient.h"

#define ADDRESS "tcp://mqtt.eclipseprojects.io:1883"
#define CLIENTID "ExampleClientPub"
#define TOPIC "MQTT Examples"
#define PAYLOAD "Hello World!"
#define QOS 1
#define TIMEOUT 10000L

int main(int argc, char* argv[])
{
	const char* address = argc > 1 ? argv[1] : ADDRESS;
	MQTTClient client;
	MQTTClient_connectOptions conn_opts = MQTTClient_connectOptions_initializer;
	MQTTClient_message msg = MQTTClient_message_initializer;
	MQTTClient_deliveryToken token;
	int rc;

	if ((rc = MQTTClient_create(&client, address, CLIENTID, MQTTCLIENT_PERSISTENCE_NONE, NULL))
			!= MQTTCLIENT_SUCCESS)
	{
		printf("Failed to create client, return code %d\n", rc);
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
	msg.retained = 0;
	if ((rc = MQTTClient_publishMessage(client, TOPIC, &msg, &token)) != MQTTCLIENT_SUCCESS)
		printf("Failed to publish message, return code %d\n", rc);
	else
	{
		printf("Waiting for up to %d seconds for publication of %s\n"
			"on topic %s for client with ClientID: %s\n",
			(int)(TIMEOUT / 1000), PAYLOAD, TOPIC, CLIENTID);
		rc = MQTTClient_waitForCompletion(client, token, TIMEOUT);
		printf("Message with delivery token %d delivered\n", token);
	}
	if (MQTTClient_disconnect(client, 10000) != MQTTCLIENT_SUCCESS)
		printf("Failed to disconnect\n");
	MQTTClient_destroy(&client);
	return rc == MQTTCLIENT_SUCCESS ? EXIT_SUCCESS : EXIT_FAILURE;
}
