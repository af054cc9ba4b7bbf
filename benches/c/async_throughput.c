/*
 * Throughput of the asynchronous API (MQTTAsync_*) with a counting subscriber,
 * measured on the public API only, against whichever libpaho-mqtt3a the
 * dynamic linker finds.
 *
 *     async_throughput URI QOS COUNT [PAYLOAD_BYTES [WINDOW [MQTT_VERSION]]]
 *
 * A subscriber client and a publisher client live in this process. The
 * publisher sends COUNT messages of PAYLOAD_BYTES (default 64, at least 16) at
 * QoS QOS, keeping at most WINDOW (default 20) sent but not yet completed
 * (onSuccess); the subscriber, subscribed at the same QoS, checks that each
 * message arrives once, in order and intact. The clock runs from the first
 * send to the last arrival. The default window is mosquitto's default
 * max_inflight_messages: a v3.1.1 client that has more QoS 2 messages open
 * than that is disconnected by the broker.
 *
 * MQTT_VERSION is 4 (3.1.1, the default) or 5; with 5 both clients are created
 * for MQTT 5 and every callback is its "5" form, as Paho requires.
 *
 * One RESULT line (see benchutil.h), case async_qos<QOS>_<size> (64B, 4KiB,
 * 1MiB, ...; "_v5" appended for MQTT 5): msgs_per_s, mib_per_s, cpu_us_per_msg
 * (CPU of the whole process, both clients, over COUNT), threads, memory and
 * the fault counters. A library without a working MQTTAsync (our own, until
 * it is written) gets a line saying n/a and exit status 77.
 * Exit status otherwise as sync_latency: 0 fine, 1 faults, 2 setup, 3 watchdog.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "MQTTAsync.h"
#include "benchutil.h"

#define SKIPPED 77
#define WAIT_S 60

static const char *uri;
static const char *product = "?";
static const char *libfile = "?";
static long payload_size;
static int mqtt5;		/* MQTT 5 instead of 3.1.1 */

/* Everything the callbacks touch, under one lock. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int connected;		/* clients whose connect succeeded */
	int subscribed;
	int disconnected;
	int setup_failed;
	long in_flight;		/* sent, not yet completed */
	long completed;
	long received;
	long next;		/* seq the subscriber expects next */
	long target;		/* messages the subscriber should get */
	double last_arrival_us;
	long failed, dup, reorder, corrupt;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The functions this program calls; a library missing one of them cannot run it. */
static const char *const needed[] = {
	"MQTTAsync_create", "MQTTAsync_setCallbacks", "MQTTAsync_connect",
	"MQTTAsync_subscribe", "MQTTAsync_sendMessage", "MQTTAsync_disconnect",
	"MQTTAsync_destroy", "MQTTAsync_freeMessage", "MQTTAsync_free",
	"MQTTAsync_getVersionInfo", "MQTTAsync_strerror", "MQTTAsync_createWithOptions",
};

static void not_available(const char *why, int qos)
{
	char name[32];

	snprintf(name, sizeof name, "async_qos%d_%s%s", qos, bu_size_name(payload_size),
		 mqtt5 ? "_v5" : "");
	fprintf(stderr, "async_throughput: n/a: %s\n", why);
	bu_result_begin(name, product, libfile);
	bu_result_str("status", "n/a");
	bu_result_str("why", why);
	bu_result_end();
	exit(SKIPPED);
}

static void identify_library(int qos)
{
	MQTTAsync_nameValue *info;
	size_t i;

	libfile = bu_library_file(dlsym(RTLD_DEFAULT, "MQTTAsync_create"));
	if (strcmp(libfile, "?") == 0)
		libfile = bu_loaded_file("libpaho-mqtt3a.so.1");
	for (i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		if (!dlsym(RTLD_DEFAULT, needed[i])) {
			char why[96];
			snprintf(why, sizeof why, "the library has no %s", needed[i]);
			not_available(why, qos);
		}
	}
	for (info = MQTTAsync_getVersionInfo(); info && info->name; info++)
		if (strcmp(info->name, "Product name") == 0)
			product = info->value;
	fprintf(stderr, "async_throughput: %s (%s)\n", product, libfile);
}

static void signal_all(void)
{
	pthread_cond_broadcast(&st.cond);
}

/* Waits until *counter reaches `want` (or setup failed); 0 on timeout. */
static int wait_for(const int *counter, int want)
{
	struct timespec deadline;
	int ok = 1;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += WAIT_S;
	pthread_mutex_lock(&st.lock);
	while (*counter < want && !st.setup_failed)
		if (pthread_cond_timedwait(&st.cond, &st.lock, &deadline) == ETIMEDOUT)
			break;
	ok = *counter >= want;
	pthread_mutex_unlock(&st.lock);
	return ok;
}

static void bump(int *counter)
{
	pthread_mutex_lock(&st.lock);
	(*counter)++;
	signal_all();
	pthread_mutex_unlock(&st.lock);
}

static void on_connected(void *ctx, MQTTAsync_successData *r)
{
	(void)ctx; (void)r;
	bump(&st.connected);
}

static void on_subscribed(void *ctx, MQTTAsync_successData *r)
{
	(void)ctx; (void)r;
	bump(&st.subscribed);
}

static void on_disconnected(void *ctx, MQTTAsync_successData *r)
{
	(void)ctx; (void)r;
	bump(&st.disconnected);
}

static void on_setup_failure(void *ctx, MQTTAsync_failureData *r)
{
	fprintf(stderr, "async_throughput: %s failed: %d %s\n", (const char *)ctx,
		r ? r->code : 0, r && r->message ? r->message : "");
	bump(&st.setup_failed);
}

static void on_sent(void *ctx, MQTTAsync_successData *r)
{
	(void)ctx; (void)r;
	pthread_mutex_lock(&st.lock);
	st.in_flight--;
	st.completed++;
	signal_all();
	pthread_mutex_unlock(&st.lock);
}

static void on_send_failure(void *ctx, MQTTAsync_failureData *r)
{
	(void)ctx;
	fprintf(stderr, "async_throughput: send failed: %d\n", r ? r->code : 0);
	pthread_mutex_lock(&st.lock);
	st.in_flight--;
	st.failed++;
	signal_all();
	pthread_mutex_unlock(&st.lock);
}

/* The MQTT 5 forms: same bookkeeping, other signatures. */
static void on_connected5(void *ctx, MQTTAsync_successData5 *r)
{
	(void)r;
	on_connected(ctx, NULL);
}

static void on_subscribed5(void *ctx, MQTTAsync_successData5 *r)
{
	(void)r;
	on_subscribed(ctx, NULL);
}

static void on_disconnected5(void *ctx, MQTTAsync_successData5 *r)
{
	(void)r;
	on_disconnected(ctx, NULL);
}

static void on_sent5(void *ctx, MQTTAsync_successData5 *r)
{
	(void)r;
	on_sent(ctx, NULL);
}

static void on_setup_failure5(void *ctx, MQTTAsync_failureData5 *r)
{
	fprintf(stderr, "async_throughput: %s failed: %d reason %d %s\n", (const char *)ctx,
		r ? r->code : 0, r ? (int)r->reasonCode : 0, r && r->message ? r->message : "");
	bump(&st.setup_failed);
}

static void on_send_failure5(void *ctx, MQTTAsync_failureData5 *r)
{
	(void)ctx;
	fprintf(stderr, "async_throughput: send failed: %d reason %d\n", r ? r->code : 0,
		r ? (int)r->reasonCode : 0);
	pthread_mutex_lock(&st.lock);
	st.in_flight--;
	st.failed++;
	signal_all();
	pthread_mutex_unlock(&st.lock);
}

static int on_message(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
	long seq = bu_check_payload(m->payload, (size_t)m->payloadlen);
	double now = bu_now_us();

	(void)ctx; (void)topic_len;
	pthread_mutex_lock(&st.lock);
	if (seq < 0)
		st.corrupt++;
	else if (seq < st.next)
		st.dup++;
	else {
		if (seq > st.next)
			st.reorder++;
		st.next = seq + 1;
		st.received++;
		st.last_arrival_us = now;
		/* the main thread only needs to see progress and the end */
		if (st.received % 64 == 0 || st.received >= st.target)
			signal_all();
	}
	pthread_mutex_unlock(&st.lock);
	MQTTAsync_freeMessage(&m);
	MQTTAsync_free(topic);
	return 1;
}

static void on_lost(void *ctx, char *cause)
{
	fprintf(stderr, "async_throughput: %s lost its connection: %s\n", (const char *)ctx,
		cause ? cause : "(no cause)");
}

static MQTTAsync start_client(const char *tag, int qos)
{
	MQTTAsync c;
	MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
	MQTTAsync_connectOptions opts5 = MQTTAsync_connectOptions_initializer5;
	MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
	int rc;

	create.MQTTVersion = mqtt5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
	/* BENCH_PERSIST_DIR: the publisher keeps its messages in the file store there. */
	if (strcmp(tag, "pub") == 0 && getenv("BENCH_PERSIST_DIR"))
		rc = MQTTAsync_createWithOptions(&c, uri, bu_client_id(tag), MQTTCLIENT_PERSISTENCE_DEFAULT,
						 getenv("BENCH_PERSIST_DIR"), &create);
	else
		rc = MQTTAsync_createWithOptions(&c, uri, bu_client_id(tag), MQTTCLIENT_PERSISTENCE_NONE,
						 NULL, &create);

	if (rc != MQTTASYNC_SUCCESS) {
		char why[64];
		snprintf(why, sizeof why, "MQTTAsync_create returned %d", rc);
		not_available(why, qos);
	}
	rc = MQTTAsync_setCallbacks(c, (void *)tag, on_lost, on_message, NULL);
	if (rc != MQTTASYNC_SUCCESS) {
		fprintf(stderr, "async_throughput: setCallbacks: %d\n", rc);
		exit(2);
	}
	if (mqtt5) {
		opts = opts5;
		opts.cleanstart = 1;
		opts.onSuccess5 = on_connected5;
		opts.onFailure5 = on_setup_failure5;
	} else {
		opts.MQTTVersion = MQTTVERSION_3_1_1;
		opts.cleansession = 1;
		opts.onSuccess = on_connected;
		opts.onFailure = on_setup_failure;
	}
	opts.keepAliveInterval = 60;
	opts.context = "connect";
	/* ssl:// (link with paho-mqtt3as): the CA file from BENCH_TLS_CAFILE. */
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	if (strncmp(uri, "ssl://", 6) == 0) {
		ssl.trustStore = getenv("BENCH_TLS_CAFILE");
		opts.ssl = &ssl;
	}
	rc = MQTTAsync_connect(c, &opts);
	if (rc != MQTTASYNC_SUCCESS) {
		fprintf(stderr, "async_throughput: connect %s: %d %s\n", uri, rc, MQTTAsync_strerror(rc));
		exit(2);
	}
	return c;
}

static void stop_client(MQTTAsync *c)
{
	MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
	MQTTAsync_disconnectOptions opts5 = MQTTAsync_disconnectOptions_initializer5;
	int before;

	pthread_mutex_lock(&st.lock);
	before = st.disconnected;
	pthread_mutex_unlock(&st.lock);
	if (mqtt5) {
		opts = opts5;
		opts.onSuccess5 = on_disconnected5;
	} else {
		opts.onSuccess = on_disconnected;
	}
	opts.timeout = 1000;
	if (MQTTAsync_disconnect(*c, &opts) == MQTTASYNC_SUCCESS)
		wait_for(&st.disconnected, before + 1);
	MQTTAsync_destroy(c);
}

int main(int argc, char **argv)
{
	MQTTAsync sub, pub;
	MQTTAsync_responseOptions sub_opts = MQTTAsync_responseOptions_initializer;
	pthread_condattr_t attr;
	const char *topic = bu_topic("tput");
	unsigned char *payload;
	char name[32];
	int qos;
	long count, size, window, i, lost, threads;
	double t0, t_end, cpu0, cpu, elapsed;
	struct timespec deadline;

	if (argc < 4) {
		fprintf(stderr, "usage: %s URI QOS COUNT [PAYLOAD_BYTES [WINDOW [4|5]]]\n", argv[0]);
		return 2;
	}
	uri = argv[1];
	qos = atoi(argv[2]);
	count = strtol(argv[3], NULL, 10);
	size = argc > 4 ? strtol(argv[4], NULL, 10) : 64;
	window = argc > 5 ? strtol(argv[5], NULL, 10) : 20;
	mqtt5 = argc > 6 && atoi(argv[6]) == 5;
	if (qos < 0 || qos > 2 || count < 1 || size < 16 || window < 1) {
		fprintf(stderr, "async_throughput: bad arguments\n");
		return 2;
	}
	payload_size = size;
	snprintf(name, sizeof name, "async_qos%d_%s%s", qos, bu_size_name(size),
		 mqtt5 ? "_v5" : "");
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&st.cond, &attr);
	identify_library(qos);
	bu_watchdog(WAIT_S * 3, name);

	sub = start_client("sub", qos);
	pub = start_client("pub", qos);
	if (!wait_for(&st.connected, 2)) {
		fprintf(stderr, "async_throughput: clients did not connect\n");
		return 2;
	}
	if (mqtt5) {
		sub_opts.onSuccess5 = on_subscribed5;
		sub_opts.onFailure5 = on_setup_failure5;
	} else {
		sub_opts.onSuccess = on_subscribed;
		sub_opts.onFailure = on_setup_failure;
	}
	sub_opts.context = "subscribe";
	if (MQTTAsync_subscribe(sub, topic, qos, &sub_opts) != MQTTASYNC_SUCCESS ||
	    !wait_for(&st.subscribed, 1)) {
		fprintf(stderr, "async_throughput: subscribe failed\n");
		return 2;
	}

	payload = malloc((size_t)size);
	pthread_mutex_lock(&st.lock);
	st.target = count;
	pthread_mutex_unlock(&st.lock);
	cpu0 = bu_cpu_us();
	t0 = bu_now_us();
	for (i = 0; i < count; i++) {
		MQTTAsync_message m = MQTTAsync_message_initializer;
		MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
		int rc;

		pthread_mutex_lock(&st.lock);
		while (st.in_flight >= window)
			pthread_cond_wait(&st.cond, &st.lock);
		st.in_flight++;
		pthread_mutex_unlock(&st.lock);

		bu_fill_payload(payload, (size_t)size, (unsigned long)i);
		m.payload = payload;
		m.payloadlen = (int)size;
		m.qos = qos;
		if (mqtt5) {
			ro.onSuccess5 = on_sent5;
			ro.onFailure5 = on_send_failure5;
		} else {
			ro.onSuccess = on_sent;
			ro.onFailure = on_send_failure;
		}
		rc = MQTTAsync_sendMessage(pub, topic, &m, &ro);
		if (rc != MQTTASYNC_SUCCESS) {
			fprintf(stderr, "async_throughput: sendMessage %ld: %d\n", i, rc);
			pthread_mutex_lock(&st.lock);
			st.in_flight--;
			st.failed++;
			pthread_mutex_unlock(&st.lock);
			break;
		}
	}

	/* wait for the last arrival, or for arrivals to stop for WAIT_S */
	pthread_mutex_lock(&st.lock);
	for (;;) {
		long seen = st.received;
		if (st.received >= count - st.failed)
			break;
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += WAIT_S;
		while (st.received == seen && st.received < count - st.failed)
			if (pthread_cond_timedwait(&st.cond, &st.lock, &deadline) == ETIMEDOUT)
				break;
		if (st.received == seen)
			break;
	}
	t_end = st.received ? st.last_arrival_us : bu_now_us();
	pthread_mutex_unlock(&st.lock);
	cpu = bu_cpu_us() - cpu0;
	threads = bu_proc_status("Threads");

	pthread_mutex_lock(&st.lock);
	lost = count - st.received - st.failed;
	elapsed = t_end - t0;
	bu_result_begin(name, product, libfile);
	bu_result_int("n", count);
	bu_result_int("payload", size);
	bu_result_int("window", window);
	bu_result_num("seconds", elapsed / 1e6);
	bu_result_num("msgs_per_s", st.received / (elapsed / 1e6));
	bu_result_num("mib_per_s", st.received * (double)size / (1 << 20) / (elapsed / 1e6));
	bu_result_num("cpu_us_per_msg", cpu / count);
	bu_result_int("threads", threads);
	bu_result_int("rss_kb", bu_proc_status("VmRSS"));
	bu_result_int("hwm_kb", bu_proc_status("VmHWM"));
	bu_result_int("failed", st.failed);
	bu_result_int("lost", lost > 0 ? lost : 0);
	bu_result_int("dup", st.dup);
	bu_result_int("reorder", st.reorder);
	bu_result_int("corrupt", st.corrupt);
	bu_result_end();
	i = st.failed || lost || st.dup || st.reorder || st.corrupt;
	pthread_mutex_unlock(&st.lock);

	stop_client(&pub);
	stop_client(&sub);
	free(payload);
	return i ? 1 : 0;
}
