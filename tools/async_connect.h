/* Connecting for the async tools (paho_c_pub, paho_c_sub): builds the connect options from
 * the command line, connects and waits for the outcome. */
#ifndef ASYNC_CONNECT_H
#define ASYNC_CONNECT_H

#include "MQTTAsync.h"
#include "async_wait.h"
#include "tool_opts.h"

/* Creates the client for the URL; prints and returns an MQTTASYNC_ code on failure. */
int async_tool_create(const struct tool_opts* opts, MQTTAsync* client);

/* Connects and waits; returns MQTTASYNC_SUCCESS or, after printing why, a failure code. */
int async_tool_connect(const struct tool_opts* opts, MQTTAsync client);

/* Disconnects and waits (at most a few seconds). */
int async_tool_disconnect(const struct tool_opts* opts, MQTTAsync client);

void async_tool_print_version(void);

/* Where a publish's or subscribe's response callbacks report: the counter to finish and the
 * word their error lines start with. Pass it as the response options' context. */
struct async_op
{
	struct async_wait* wait;
	const char* what; /* "Publish", "Subscribe" */
	const struct tool_opts* opts;
};

/* Response callbacks for an async_op: success, success with a reason code (>= 0x80 is a
 * refusal), failure and MQTT 5 failure, each finishing one operation of op->wait. */
void async_op_success(void* context, MQTTAsync_successData* response);
void async_op_success5(void* context, MQTTAsync_successData5* response);
void async_op_failure(void* context, MQTTAsync_failureData* response);
void async_op_failure5(void* context, MQTTAsync_failureData5* response);
void async_tool_trace(const struct tool_opts* opts);

#endif
