/* MQTTAsync_publish_time: the asynchronous API: publishes the current time (seconds and
 * milliseconds since the epoch) to "data/time" at QoS 1 every 100 ms, until interrupted.
 * argv[1], if given, is the server URI; argv[2], if given, how many messages to send. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "MQTTAsync.h"

#define ADDRESS "tcp://mqtt.eclipseprojects.io:1883"
#define CLIENTID "ExampleClientTimePub"
#define TOPIC "data/time"
#define QOS 1
#define INTERVAL_MS 100

static volatile sig_atomic_t stopping = 0;
static volatile int connected = 0;
static volatile int failed = 0;
static volatile int disconnected = 0;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void connlost(void* context, char* cause)
{
	(void)context;
	printf("\nConnection lost\n     cause: %s\n", cause ? cause : "(unknown)");
	connected = 0;
	failed = 1;
}

static void on_connect(void* context, MQTTAsync_successData* response)
{
	(void)context;
	(void)response;
	printf("Successful connection\n");
	fflush(stdout);
	connected = 1;
}

static void on_connect_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Connect failed, rc %d\n", response ? response->code : 0);
	failed = 1;
}

static void on_send_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	printf("Message send failed token %d error code %d\n", response->token, response->code);
	failed = 1;
}

static void on_disconnect(void* context, MQTTAsync_successData* response)
{
	(void)context;
	(void)response;
	disconnected = 1;
}

int main(int argc, char* argv[])
{
	const char* address = argc > 1 ? argv[1] : ADDRESS;
	long count = argc > 2 ? atol(argv[2]) : -1;
	MQTTAsync client;
	MQTTAsync_connectOptions conn_opts = MQTTAsync_connectOptions_initializer;
	MQTTAsync_disconnectOptions disc_opts = MQTTAsync_disconnectOptions_initializer;
	struct timespec tick = { 0, 10 * 1000000L };
	struct timespec interval = { 0, INTERVAL_MS * 1000000L };
	struct sigaction sa;
	long sent = 0;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
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
	if ((rc = MQTTAsync_connect(client, &conn_opts)) != MQTTASYNC_SUCCESS)
	{
		printf("Failed to start connect, return code %d\n", rc);
		MQTTAsync_destroy(&client);
		return EXIT_FAILURE;
	}
	while (!connected && !failed && !stopping)
		nanosleep(&tick, NULL);
	while (connected && !failed && !stopping && (count < 0 || sent < count))
	{
		MQTTAsync_message msg = MQTTAsync_message_initializer;
		MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
		struct timespec now;
		char payload[64];

		clock_gettime(CLOCK_REALTIME, &now);
		snprintf(payload, sizeof(payload), "%lld.%03ld", (long long)now.tv_sec,
			now.tv_nsec / 1000000L);
		msg.payload = payload;
		msg.payloadlen = (int)strlen(payload);
		msg.qos = QOS;
		opts.onFailure = on_send_failure;
		if ((rc = MQTTAsync_sendMessage(client, TOPIC, &msg, &opts)) != MQTTASYNC_SUCCESS)
		{
			printf("Failed to start sendMessage, return code %d\n", rc);
			failed = 1;
			break;
		}
		++sent;
		nanosleep(&interval, NULL);
	}
	disc_opts.onSuccess = on_disconnect;
	disc_opts.onFailure = NULL;
	if (MQTTAsync_isConnected(client) && MQTTAsync_disconnect(client, &disc_opts) == MQTTASYNC_SUCCESS)
	{
		int waited;

		for (waited = 0; !disconnected && waited < 1000; ++waited)
			nanosleep(&tick, NULL);
	}
	MQTTAsync_destroy(&client);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
