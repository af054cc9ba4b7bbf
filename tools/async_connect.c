#define _POSIX_C_SOURCE 200809L
#include "async_connect.h"

#include <stdio.h>
#include <string.h>

#include "async_wait.h"

static struct async_wait connect_wait;
static struct async_wait disconnect_wait;
static int connect_rc;

void async_tool_print_version(void)
{
	MQTTAsync_nameValue* info = MQTTAsync_getVersionInfo();

	for (; info && info->name; ++info)
		fprintf(stderr, "%s: %s\n", info->name, info->value);
}

static void trace_callback(enum MQTTASYNC_TRACE_LEVELS level, char* message)
{
	tool_trace_line((int)level, message);
}

void async_tool_trace(const struct tool_opts* opts)
{
	if (opts->trace_level)
	{
		MQTTAsync_setTraceCallback(trace_callback);
		MQTTAsync_setTraceLevel((enum MQTTASYNC_TRACE_LEVELS)opts->trace_level);
	}
}

int async_tool_create(const struct tool_opts* opts, MQTTAsync* client)
{
	MQTTAsync_createOptions create_opts = MQTTAsync_createOptions_initializer;
	const char* url = tool_url(opts);
	int rc;

	create_opts.MQTTVersion = opts->mqtt_version;
	rc = MQTTAsync_createWithOptions(client, url, opts->clientid, MQTTCLIENT_PERSISTENCE_NONE,
			NULL, &create_opts);
	if (rc != MQTTASYNC_SUCCESS)
		tool_error(opts, "Failed to create client for %s, return code: %s\n", url,
			MQTTAsync_strerror(rc));
	return rc;
}

void async_op_success(void* context, MQTTAsync_successData* response)
{
	const struct async_op* op = context;

	(void)response;
	async_wait_done(op->wait, 1, 0);
}

void async_op_success5(void* context, MQTTAsync_successData5* response)
{
	const struct async_op* op = context;

	if (response && response->reasonCode >= MQTTREASONCODE_UNSPECIFIED_ERROR)
	{
		tool_error(op->opts, "%s refused, reason code %d %s\n", op->what, response->reasonCode,
			MQTTReasonCode_toString(response->reasonCode));
		async_wait_done(op->wait, 0, response->reasonCode);
	}
	else
		async_wait_done(op->wait, 1, 0);
}

void async_op_failure(void* context, MQTTAsync_failureData* response)
{
	const struct async_op* op = context;
	int rc = response ? response->code : MQTTASYNC_FAILURE;

	tool_error(op->opts, "%s failed, rc %s\n", op->what, MQTTAsync_strerror(rc));
	async_wait_done(op->wait, 0, rc);
}

void async_op_failure5(void* context, MQTTAsync_failureData5* response)
{
	const struct async_op* op = context;
	int rc = response ? response->code : MQTTASYNC_FAILURE;

	if (response && response->reasonCode >= MQTTREASONCODE_UNSPECIFIED_ERROR)
		tool_error(op->opts, "%s failed, reason code %d %s\n", op->what, response->reasonCode,
			MQTTReasonCode_toString(response->reasonCode));
	else
		tool_error(op->opts, "%s failed, rc %s\n", op->what, MQTTAsync_strerror(rc));
	async_wait_done(op->wait, 0, rc);
}

static void on_connect(void* context, MQTTAsync_successData* response)
{
	(void)context;
	(void)response;
	async_wait_done(&connect_wait, 1, 0);
}

static void on_connect5(void* context, MQTTAsync_successData5* response)
{
	(void)context;
	(void)response;
	async_wait_done(&connect_wait, 1, 0);
}

static void on_connect_failure(void* context, MQTTAsync_failureData* response)
{
	const struct tool_opts* opts = context;
	int rc = response ? response->code : MQTTASYNC_FAILURE;

	if (rc > 0)
		tool_error(opts, "Connect failed, CONNACK return code %d\n", rc);
	else
		tool_error(opts, "Connect failed, rc %s%s%s\n", MQTTAsync_strerror(rc),
			response && response->message ? ": " : "",
			response && response->message ? response->message : "");
	connect_rc = rc ? rc : MQTTASYNC_FAILURE;
	async_wait_done(&connect_wait, 0, connect_rc);
}

static void on_connect_failure5(void* context, MQTTAsync_failureData5* response)
{
	const struct tool_opts* opts = context;
	int rc = response ? response->code : MQTTASYNC_FAILURE;

	if (response && response->reasonCode >= MQTTREASONCODE_UNSPECIFIED_ERROR)
	{
		tool_error(opts, "Connect failed, reason code %d %s\n", response->reasonCode,
			MQTTReasonCode_toString(response->reasonCode));
		rc = response->reasonCode;
	}
	else
		tool_error(opts, "Connect failed, rc %s%s%s\n", MQTTAsync_strerror(rc),
			response && response->message ? ": " : "",
			response && response->message ? response->message : "");
	connect_rc = rc ? rc : MQTTASYNC_FAILURE;
	async_wait_done(&connect_wait, 0, connect_rc);
}

int async_tool_connect(const struct tool_opts* opts, MQTTAsync client)
{
	MQTTAsync_connectOptions conn_opts = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions conn_opts5 = MQTTAsync_connectOptions_initializer5;
	static MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
	static MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	int rc;

	async_wait_init(&connect_wait);
	if (opts->mqtt_version == MQTTVERSION_5)
	{
		conn_opts = conn_opts5;
		conn_opts.cleanstart = 1;
		conn_opts.onSuccess5 = on_connect5;
		conn_opts.onFailure5 = on_connect_failure5;
	}
	else
	{
		conn_opts.cleansession = 1;
		conn_opts.MQTTVersion = opts->mqtt_version;
		conn_opts.onSuccess = on_connect;
		conn_opts.onFailure = on_connect_failure;
	}
	conn_opts.context = (void*)opts;
	TOOL_FILL_CONNECT_OPTIONS(conn_opts, will, ssl, opts);

	connect_rc = MQTTASYNC_SUCCESS;
	async_wait_start(&connect_wait);
	rc = MQTTAsync_connect(client, &conn_opts);
	if (rc != MQTTASYNC_SUCCESS)
	{
		tool_error(opts, "Failed to start connect, return code %s\n", MQTTAsync_strerror(rc));
		return rc;
	}
	/* the connect timeout (30 s by default) bounds this wait */
	if (async_wait_all(&connect_wait, NULL, 60000) > 0)
	{
		tool_error(opts, "Connect failed: no answer\n");
		return MQTTASYNC_FAILURE;
	}
	return connect_rc;
}

static void on_disconnect(void* context, MQTTAsync_successData* response)
{
	(void)context;
	(void)response;
	async_wait_done(&disconnect_wait, 1, 0);
}

static void on_disconnect_failure(void* context, MQTTAsync_failureData* response)
{
	(void)context;
	async_wait_done(&disconnect_wait, 0, response ? response->code : MQTTASYNC_FAILURE);
}

int async_tool_disconnect(const struct tool_opts* opts, MQTTAsync client)
{
	MQTTAsync_disconnectOptions disc_opts = MQTTAsync_disconnectOptions_initializer;
	int rc;

	async_wait_init(&disconnect_wait);
	disc_opts.onSuccess = on_disconnect;
	disc_opts.onFailure = on_disconnect_failure;
	async_wait_start(&disconnect_wait);
	rc = MQTTAsync_disconnect(client, &disc_opts);
	if (rc != MQTTASYNC_SUCCESS)
	{
		tool_error(opts, "Failed to start disconnect, return code: %s\n", MQTTAsync_strerror(rc));
		return rc;
	}
	if (async_wait_all(&disconnect_wait, NULL, 10000) > 0)
		return MQTTASYNC_FAILURE;
	return disconnect_wait.failed ? disconnect_wait.rc : MQTTASYNC_SUCCESS;
}
