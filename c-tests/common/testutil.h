/*
 * Shared helpers for the C tests in c-tests/diff and c-tests/sync.
 *
 * Every test program calls check_library() first: it makes sure the library
 * that got loaded is the one the runner meant (ours or Debian's Paho, chosen by
 * MQTT_TEST_EXPECT) and arms the watchdog, so a hang becomes exit 3 instead of
 * a stuck test run.
 *
 * Output rule for diff tests: stdout carries only deterministic facts (return
 * codes, callback order, payloads); everything else goes to stderr via tu_log.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <pthread.h>
#include <stddef.h>
#include "MQTTClient.h"

#define TU_DEFAULT_WATCHDOG 30

/* Value of an environment variable; exits 2 with a message if unset or empty. */
const char *tu_env(const char *name);
/* Value of an environment variable, or NULL if unset or empty. */
const char *tu_env_opt(const char *name);

/* (Re)arms the alarm-based watchdog: after `seconds` (times tu_time_scale())
 * the process prints what it was doing on stderr and exits 3. 0 disarms it. */
void tu_watchdog(unsigned seconds);
/* MQTT_TEST_TIME_SCALE (default 1): how much slower than usual the test runs,
 * e.g. under valgrind (run.py --valgrind sets it); watchdogs stretch by it. */
unsigned tu_time_scale(void);
/* Names the current step, shown by the watchdog if it fires. */
void tu_step(const char *what);

/* Checks MQTTClient_getVersionInfo() against MQTT_TEST_EXPECT (exit 2 on
 * mismatch), makes stdout line buffered and arms the default watchdog.
 * (In testutil_sync.c; async tests call check_library_async from
 * testutil_async.h instead.) */
void check_library(void);
/* What check_library does, given the library's "Product name" (may be NULL). */
void tu_check_product(const char *product);
/* 1 when running against our library (MQTT_TEST_EXPECT=ours). */
int tu_is_ours(void);

/* A client id unique to this process and call, at most 23 characters (MQTT
 * 3.1 brokers may reject longer ones). Returns a static buffer per call slot:
 * copy it if you need it beyond the next 8 calls. Never print it on stdout. */
const char *tu_client_id(const char *tag);
/* MQTT_TEST_TOPIC_PREFIX + "/" + suffix, in a static ring buffer like above. */
const char *tu_topic(const char *suffix);

/* A topic with MQTT_TEST_TOPIC_PREFIX + "/" cut off the front (for printing:
 * the prefix differs per run); other topics are returned unchanged. */
const char *tu_topic_suffix(const char *topic);

/* Diagnostics on stderr, printf style. */
void tu_log(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Prints "FAIL: ..." on stderr and exits 1. */
void tu_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Fails with the expression text unless cond holds. */
#define TU_ASSERT(cond) \
    do { if (!(cond)) tu_fail("%s:%d: assertion failed: %s", __FILE__, __LINE__, #cond); } while (0)
/* Fails unless the return code equals the expected one. */
#define TU_EXPECT_RC(expr, want) \
    do { int tu_rc_ = (expr); if (tu_rc_ != (want)) \
        tu_fail("%s:%d: %s returned %d, expected %d", __FILE__, __LINE__, #expr, tu_rc_, (want)); } while (0)

/* Sleeps for ms milliseconds (only for giving a broker time, never for sync). */
void tu_sleep_ms(int ms);
/* Monotonic milliseconds, for stderr diagnostics. */
long long tu_now_ms(void);

/*
 * Runs fn(arg) in a fork()ed child with its own watchdog of `seconds`; the
 * child's return value comes back through *rc. Returns TU_CHILD_OK, or
 * TU_CHILD_CRASH when the child died of a signal, TU_CHILD_HANG when its
 * watchdog fired, TU_CHILD_ERROR when it exited otherwise (e.g. tu_fail).
 * Call it before any client is connected (a child of a multithreaded process
 * only has the forking thread).
 */
enum { TU_CHILD_OK = 0, TU_CHILD_CRASH = 1, TU_CHILD_HANG = 2, TU_CHILD_ERROR = 3 };
int tu_in_child(int (*fn)(void *), void *arg, unsigned seconds, int *rc);
/* Extra text a child may leave for its parent (cleared before fn runs; after
 * tu_in_child returns TU_CHILD_OK it holds what the child wrote). */
extern char tu_child_note[256];

/*
 * A plain subscriber on its own client (no callbacks, MQTTClient_receive), to
 * observe what another client published. Connects with MQTT 3.1.1, clean
 * session; exits 1 on any failure.
 */
typedef struct tu_sub tu_sub;
tu_sub *tu_sub_open(const char *uri, const char *topic, int qos);
/* Next message within timeout_ms, or NULL. The caller frees both with
 * MQTTClient_freeMessage / MQTTClient_free. */
MQTTClient_message *tu_sub_next(tu_sub *s, int timeout_ms, char **topic);
void tu_sub_close(tu_sub *s);

/* Prints a payload on stdout as text if printable, otherwise as hex. */
void tu_print_payload(const void *payload, int len);

/* Large-message tests: a payload of `size` bytes at `qos` filled with a
 * pattern made from both (malloc'd; exits 1 when out of memory), and whether
 * `p` holds the pattern of a message of `len` bytes at `qos` (1) or not (0). */
unsigned char *tu_pattern_payload(long size, int qos);
int tu_pattern_intact(const void *p, long len, int qos);
/* Prints each property on its own line: "<prefix>property NAME = value". */
void tu_print_props(const char *prefix, const MQTTProperties *props);
/* The same, as one line into buf (for event logs). */
void tu_format_props(char *buf, size_t size, const MQTTProperties *props);

/*
 * Sync callbacks that count what a client reports: messages (freed at once) and connection
 * losses, with the time of the first. Pass a tu_counts as the context:
 *   MQTTClient_setCallbacks(c, &counts, tu_count_lost, tu_count_arrived, NULL);
 * Each call is logged on stderr.
 */
typedef struct tu_counts {
    pthread_mutex_t lock;
    int arrived;
    int lost;
    long long first_lost_ms;
} tu_counts;
#define TU_COUNTS_INITIALIZER { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 }
int tu_count_arrived(void *counts, char *topic, int topic_len, MQTTClient_message *m);
void tu_count_lost(void *counts, char *cause);
/* A consistent read (any pointer may be NULL). */
void tu_counts_read(tu_counts *c, int *arrived, int *lost, long long *first_lost_ms);
void tu_counts_reset(tu_counts *c);

#endif
