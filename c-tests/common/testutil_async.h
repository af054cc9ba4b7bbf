/*
 * Helpers for tests of the asynchronous API (MQTTAsync_*), linked with
 * -lpaho-mqtt3a: the library check, an event log that callbacks write and the
 * main thread prints, and blocking wrappers (connect, subscribe, wait for a
 * token's callback) for the steps a test is not about.
 *
 * Callbacks run on library threads. They record what happened with
 * ta_event() or in a ta_done; the main thread waits for it and prints, so
 * stdout never interleaves between threads.
 */
#ifndef TESTUTIL_ASYNC_H
#define TESTUTIL_ASYNC_H

#include "MQTTAsync.h"
#include "testutil.h"

/* Checks MQTTAsync_getVersionInfo() against MQTT_TEST_EXPECT, like
 * check_library() does for the sync library. */
void check_library_async(void);

/* ---- event log ----------------------------------------------------------- */
/* Appends one line (thread-safe; also logged on stderr). */
void ta_event(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
int ta_event_count(void);
/* Waits until at least n events exist or timeout_ms passed; returns the count. */
int ta_wait_events(int n, int timeout_ms);
/* Prints every event on stdout as "<prefix><line>" and clears the log. */
void ta_print_events(const char *prefix);
/* The same, but grouped by first word (a client's name), groups in sorted
 * order, each in its own order: callbacks of one client are ordered, those of
 * two clients are not. */
void ta_print_events_grouped(const char *prefix);

/* ---- waiting --------------------------------------------------------------- */
/* A global lock and condition for test state written by callbacks: a callback
 * changes its state between ta_lock() and ta_unlock_notify(); the main thread
 * waits with ta_wait_until(), whose predicate runs with the lock held. */
void ta_lock(void);
void ta_unlock_notify(void);
/* 1 when pred(arg) became true within timeout_ms, else 0. */
int ta_wait_until(int (*pred)(void *), void *arg, int timeout_ms);

/* The outcome of one call with onSuccess/onFailure (or the 5 forms): pass
 * ta_on_success / ta_on_failure (or the 5 forms) with context = a ta_done. */
typedef struct ta_done {
    int state;        /* 0 pending, 1 onSuccess, -1 onFailure */
    int token;        /* from the response data */
    int code;         /* failureData code (0 on success) */
    int reason;       /* MQTT 5 reasonCode (failureData5 / successData5) */
    int mqtt_version; /* successData alt.connect.MQTTVersion for connects */
    int session_present;
    char server_uri[128];
    int calls;        /* callbacks seen: more than 1 is a bug */
    int is_connect;   /* set by the caller: read successData alt.connect */
} ta_done;
void ta_on_success(void *context, MQTTAsync_successData *response);
void ta_on_failure(void *context, MQTTAsync_failureData *response);
void ta_on_success5(void *context, MQTTAsync_successData5 *response);
void ta_on_failure5(void *context, MQTTAsync_failureData5 *response);
/* Waits for the outcome; returns its state (0 = timed out). */
int ta_wait_done(ta_done *d, int timeout_ms);
/* Sets onSuccess/onFailure of o (the 5 forms when v5) to record into d. */
void ta_response(MQTTAsync_responseOptions *o, ta_done *d, int v5);

/* ---- blocking wrappers (tu_fail on any failure) --------------------------- */
/* createWithOptions for uri with the given MQTTVERSION_* and a unique id. */
MQTTAsync ta_create(const char *uri, const char *tag, int mqtt_version);
/* connect with o (NULL: defaults for the version) and wait for its outcome;
 * fills o's callbacks. Returns 0 or the failure (call rc or onFailure code).
 * Not for clients with automaticReconnect: the library may call connect's
 * onSuccess again on every reconnect, and the context given here is on this
 * function's stack; use ta_connect_static. */
int ta_connect(MQTTAsync c, MQTTAsync_connectOptions *o, int mqtt_version);
/* ta_connect with an outcome record that outlives the call (one per client;
 * d must stay valid as long as the client lives). */
int ta_connect_static(MQTTAsync c, MQTTAsync_connectOptions *o, int mqtt_version, ta_done *d);
/* subscribe and wait for onSuccess. */
void ta_subscribe(MQTTAsync c, const char *topic, int qos, int v5);
/* disconnect (waiting for its onSuccess when connected) and destroy. */
void ta_close(MQTTAsync *c);

/* A message-arrived callback that records "<context> arrived <topic suffix>
 * qos=N retained=N dup=N payload" as an event; context = a client name. */
int ta_arrived_event(void *context, char *topic, int topic_len, MQTTAsync_message *m);

/* Threads of this process, from /proc/self/status (-1 if unknown). */
int ta_thread_count(void);
/* A numeric field of /proc/self/status ("VmRSS" in kB, "Threads", ...); -1 if absent. */
long ta_proc_status(const char *field);

#endif
