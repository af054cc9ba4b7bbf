/*
 * A mosquitto of the test's own, for tests that stop and restart the broker
 * or need more connections than the shared one should take. Started with
 * fork/exec on a loopback port, its config and log in MQTT_TEST_TMPDIR
 * (or /tmp), stopped by PID. Call tb_start before connecting clients when you
 * can; fork+exec is safe in a threaded process anyway (nothing but exec runs
 * in the child).
 */
#ifndef OWNBROKER_H
#define OWNBROKER_H

#include <sys/types.h>

typedef struct tb_broker {
    pid_t pid;
    int port;
    char uri[64];   /* tcp://127.0.0.1:PORT */
    int persistent; /* set before tb_start: sessions survive a clean restart */
} tb_broker;

/* A loopback TCP port nobody listens on right now. */
int tb_free_port(void);
/* Starts mosquitto on b->port (picks a free one when 0) and waits until it
 * accepts connections; tu_fail on error. */
void tb_start(tb_broker *b);
/* Stops it: SIGTERM (clean) or SIGKILL (abrupt), then waits for the PID. */
void tb_stop(tb_broker *b, int abrupt);

#endif
