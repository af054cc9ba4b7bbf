/*
 * Passes options structs of every older struct_version, each placed so that its last byte
 * sits just before an unreadable page: a library that reads a field the version does not
 * have crashes instead of silently reading the caller's neighbouring memory. Each case runs
 * in a child process and prints its return code (or the signal that killed it).
 *
 * Functions the library does not export yet are skipped (weak references), so the test can
 * run while the API is being written.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "MQTTAsync.h"

#pragma weak MQTTClient_create
#pragma weak MQTTClient_createWithOptions
#pragma weak MQTTClient_connect
#pragma weak MQTTClient_publishMessage
#pragma weak MQTTClient_destroy
#pragma weak MQTTClient_global_init
#pragma weak MQTTAsync_create
#pragma weak MQTTAsync_createWithOptions
#pragma weak MQTTAsync_connect
#pragma weak MQTTAsync_disconnect
#pragma weak MQTTAsync_sendMessage
#pragma weak MQTTAsync_subscribe
#pragma weak MQTTAsync_destroy

#define URI "tcp://127.0.0.1:1"

static int failures, ran, skipped;

/* A copy of the first `len` bytes of `src`, ending right before a PROT_NONE page. The
 * start is kept 8-byte aligned, so up to 7 bytes of slack may remain readable. */
static void* guarded(const void* src, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t rounded = (len + 7) & ~(size_t)7;
	char* block = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (block == MAP_FAILED || mprotect(block + page, (size_t)page, PROT_NONE) != 0)
	{
		perror("mmap");
		exit(2);
	}
	memcpy(block + page - rounded, src, len);
	return block + page - rounded;
}

typedef int (*case_fn)(void* arg);

static void run(const char* name, int available, case_fn fn, void* arg)
{
	pid_t pid;
	int status = 0;

	if (!available)
	{
		printf("skip %s (not exported)\n", name);
		skipped++;
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
	{
		alarm(20);
		printf("case %s -> rc %d\n", name, fn(arg));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ran++;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
	{
		printf("case %s -> KILLED by signal %d\n", name, WIFSIGNALED(status) ? WTERMSIG(status) : -1);
		failures++;
	}
}

/* Sizes of each version: the offset of the first field the next version adds. */
static size_t client_connect_size(int v)
{
	static const size_t ends[] = {
		offsetof(MQTTClient_connectOptions, ssl), offsetof(MQTTClient_connectOptions, serverURIcount),
		offsetof(MQTTClient_connectOptions, MQTTVersion), offsetof(MQTTClient_connectOptions, returned),
		offsetof(MQTTClient_connectOptions, binarypwd), offsetof(MQTTClient_connectOptions, maxInflightMessages),
		offsetof(MQTTClient_connectOptions, httpHeaders), offsetof(MQTTClient_connectOptions, httpProxy),
		sizeof(MQTTClient_connectOptions) };
	return ends[v];
}

static size_t async_connect_size(int v)
{
	static const size_t ends[] = {
		offsetof(MQTTAsync_connectOptions, serverURIcount), offsetof(MQTTAsync_connectOptions, serverURIcount),
		offsetof(MQTTAsync_connectOptions, MQTTVersion), offsetof(MQTTAsync_connectOptions, automaticReconnect),
		offsetof(MQTTAsync_connectOptions, binarypwd), offsetof(MQTTAsync_connectOptions, cleanstart),
		offsetof(MQTTAsync_connectOptions, httpHeaders), offsetof(MQTTAsync_connectOptions, httpProxy),
		sizeof(MQTTAsync_connectOptions) };
	return ends[v];
}

static int client_connect(void* arg)
{
	MQTTClient c = NULL;
	int rc = MQTTClient_create(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL);
	if (rc == MQTTCLIENT_SUCCESS)
		rc = MQTTClient_connect(c, (MQTTClient_connectOptions*)arg);
	return rc;
}

static int client_create(void* arg)
{
	MQTTClient c = NULL;
	return MQTTClient_createWithOptions(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL, (MQTTClient_createOptions*)arg);
}

static int client_publish(void* arg)
{
	MQTTClient c = NULL;
	MQTTClient_deliveryToken dt = 0;
	int rc = MQTTClient_create(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL);
	if (rc == MQTTCLIENT_SUCCESS)
		rc = MQTTClient_publishMessage(c, "t", (MQTTClient_message*)arg, &dt);
	return rc;
}

static int client_init(void* arg)
{
	MQTTClient_global_init((MQTTClient_init_options*)arg);
	return 0;
}

static int async_create(void* arg)
{
	MQTTAsync c = NULL;
	return MQTTAsync_createWithOptions(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL, (MQTTAsync_createOptions*)arg);
}

static int async_connect(void* arg)
{
	MQTTAsync c = NULL;
	int rc = MQTTAsync_create(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL);
	if (rc == MQTTASYNC_SUCCESS)
		rc = MQTTAsync_connect(c, (MQTTAsync_connectOptions*)arg);
	usleep(200000); /* let a background thread read the options too */
	return rc;
}

static int async_disconnect(void* arg)
{
	MQTTAsync c = NULL;
	int rc = MQTTAsync_create(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL);
	if (rc == MQTTASYNC_SUCCESS)
		rc = MQTTAsync_disconnect(c, (MQTTAsync_disconnectOptions*)arg);
	return rc;
}

static int async_send(void* arg)
{
	MQTTAsync c = NULL;
	int rc = MQTTAsync_create(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL);
	if (rc == MQTTASYNC_SUCCESS)
		rc = MQTTAsync_sendMessage(c, "t", (MQTTAsync_message*)arg, NULL);
	return rc;
}

static int async_subscribe(void* arg)
{
	MQTTAsync c = NULL;
	int rc = MQTTAsync_create(&c, URI, "old", MQTTCLIENT_PERSISTENCE_NONE, NULL);
	if (rc == MQTTASYNC_SUCCESS)
		rc = MQTTAsync_subscribe(c, "t", 1, (MQTTAsync_responseOptions*)arg);
	return rc;
}

int main(void)
{
	char name[80];
	int v;

	setvbuf(stdout, NULL, _IOLBF, 0);

	{
		MQTTClient_init_options o = MQTTClient_init_options_initializer;
		run("MQTTClient_init_options v0", MQTTClient_global_init != NULL, client_init, guarded(&o, sizeof o));
	}
	{
		MQTTClient_createOptions o = MQTTClient_createOptions_initializer;
		run("MQTTClient_createOptions v0", MQTTClient_createWithOptions != NULL, client_create, guarded(&o, sizeof o));
	}
	for (v = 0; v <= 8; v++)
	{
		MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
		o.struct_version = v;
		o.connectTimeout = 2;
		snprintf(name, sizeof name, "MQTTClient_connectOptions v%d", v);
		run(name, MQTTClient_create && MQTTClient_connect, client_connect, guarded(&o, client_connect_size(v)));
	}
	{
		MQTTClient_willOptions w = MQTTClient_willOptions_initializer;
		MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
		w.struct_version = 0;
		w.topicName = "will";
		w.message = "gone";
		o.will = guarded(&w, offsetof(MQTTClient_willOptions, payload));
		o.connectTimeout = 2;
		run("MQTTClient_willOptions v0", MQTTClient_create && MQTTClient_connect, client_connect, &o);
	}
	{
		MQTTClient_message m = MQTTClient_message_initializer;
		m.struct_version = 0;
		m.payload = (void*)"x";
		m.payloadlen = 1;
		run("MQTTClient_message v0", MQTTClient_create && MQTTClient_publishMessage, client_publish,
			guarded(&m, offsetof(MQTTClient_message, properties)));
	}
	for (v = 0; v <= 2; v++)
	{
		static const size_t ends[] = { offsetof(MQTTAsync_createOptions, MQTTVersion),
			offsetof(MQTTAsync_createOptions, allowDisconnectedSendAtAnyTime), sizeof(MQTTAsync_createOptions) };
		MQTTAsync_createOptions o = MQTTAsync_createOptions_initializer;
		o.struct_version = v;
		snprintf(name, sizeof name, "MQTTAsync_createOptions v%d", v);
		run(name, MQTTAsync_createWithOptions != NULL, async_create, guarded(&o, ends[v]));
	}
	for (v = 0; v <= 8; v++)
	{
		MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
		o.struct_version = v;
		o.connectTimeout = 2;
		snprintf(name, sizeof name, "MQTTAsync_connectOptions v%d", v);
		run(name, MQTTAsync_create && MQTTAsync_connect, async_connect, guarded(&o, async_connect_size(v)));
	}
	{
		MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
		run("MQTTAsync_disconnectOptions v0", MQTTAsync_create && MQTTAsync_disconnect, async_disconnect,
			guarded(&d, offsetof(MQTTAsync_disconnectOptions, properties)));
	}
	{
		MQTTAsync_message m = MQTTAsync_message_initializer;
		m.struct_version = 0;
		m.payload = (void*)"x";
		m.payloadlen = 1;
		run("MQTTAsync_message v0", MQTTAsync_create && MQTTAsync_sendMessage, async_send,
			guarded(&m, offsetof(MQTTAsync_message, properties)));
	}
	{
		MQTTAsync_responseOptions r = MQTTAsync_responseOptions_initializer;
		r.struct_version = 0;
		run("MQTTAsync_responseOptions v0", MQTTAsync_create && MQTTAsync_subscribe, async_subscribe,
			guarded(&r, offsetof(MQTTAsync_responseOptions, onSuccess5)));
	}
	printf("ran %d, skipped %d, crashed %d\n", ran, skipped, failures);
	return failures ? 1 : 0;
}
