/* Connecting for the async tools (paho_c_pub, paho_c_sub): builds the connect options from
 * the command line, connects and waits for the outcome. */
#ifndef ASYNC_CONNECT_H
#define ASYNC_CONNECT_H

#include "MQTTAsync.h"
#include "tool_opts.h"

/* Creates the client for the URL; prints and returns an MQTTASYNC_ code on failure. */
int async_tool_create(const struct tool_opts* opts, MQTTAsync* client);

/* Connects and waits; returns MQTTASYNC_SUCCESS or, after printing why, a failure code. */
int async_tool_connect(const struct tool_opts* opts, MQTTAsync client);

/* Disconnects and waits (at most a few seconds). */
int async_tool_disconnect(const struct tool_opts* opts, MQTTAsync client);

void async_tool_print_version(void);
void async_tool_trace(const struct tool_opts* opts);

#endif
