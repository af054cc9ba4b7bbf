/* Connecting for the sync tools (paho_cs_pub, paho_cs_sub): trace settings from the command
 * line, the client, its connect options (will, TLS), the connect itself and its errors. */
#ifndef SYNC_CONNECT_H
#define SYNC_CONNECT_H

#include "MQTTClient.h"
#include "tool_opts.h"

void sync_tool_print_version(void);

/* Sets the trace from --trace, creates the client and connects. Returns TOOL_EXIT_OK with
 * *client set, or, after printing why, TOOL_EXIT_CONNECT (no client left). `opts` must
 * outlive the client (it is the PSK callback's context). */
int sync_tool_connect(struct tool_opts* opts, MQTTClient* client);

#endif
