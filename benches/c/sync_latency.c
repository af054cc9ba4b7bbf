/*
 * Latency of the synchronous API (MQTTClient_*), measured on the public API
 * only, against whichever libpaho-mqtt3c the dynamic linker finds.
 *
 *     sync_latency URI CASE [N [PAYLOAD_BYTES]]
 *
 * CASE is one of
 *   connect   create + connect of the first client of the process, then of a
 *             second one while the first stays connected (one sample each;
 *             N is ignored). Prints cases connect_first and connect_second.
 *   connect_cb  the same with callbacks set on both clients before connect
 *             (connect_cb_first, connect_cb_second).
 *   pubwait   N times: QoS 1 publish + MQTTClient_waitForCompletion. A second
 *             client subscribes to the topic and checks that every message
 *             arrives once, in order and intact.
 *   pubwait_solo  the same with the publisher alone in the process and no
 *             callbacks, as in the user's guide example (nothing checks
 *             arrival; a failed call is still counted).
 *   pubwait_cb  as pubwait, with callbacks set on the publisher as well.
 *   pubdc     as pubwait_cb, but the publisher waits for its deliveryComplete
 *             callback instead of calling waitForCompletion.
 *   echo      N times: client A publishes a QoS 1 "ping", client B's
 *             messageArrived republishes it as a QoS 1 "pong", A waits for the
 *             pong. The round trip is measured on A.
 *   echo_qos0 the same at QoS 0.
 *   clients   N clients created and connected one after another, all kept
 *             connected; per-connect latency, total_s, kb_per_client (growth
 *             of resident memory over N), threads with all N connected.
 *
 * PAYLOAD_BYTES (default 64, at least 16) sizes every message of pubwait*,
 * pubdc and echo*; other sizes add a suffix to the case name (pubwait_1MiB).
 *
 * Each case prints one RESULT line (see benchutil.h) with latency percentiles,
 * CPU time of the whole process per operation, thread count and memory, the
 * library product name and file, and counters of anything that went wrong.
 * Exit status: 0 all fine, 1 messages lost/duplicated/reordered/corrupted or
 * an API call failed, 2 bad usage or no connection, 3 watchdog.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "MQTTClient.h"
#include "benchutil.h"

#define WAIT_MS 60000L

static long payload_len = 64;	/* argv[4] */
static long warmup = 2;		/* untimed iterations first; 1 for big payloads */
static int msg_qos = 1;		/* QoS of every message; echo_qos0 sets 0 */

static const char *uri;
static const char *product = "?";
static const char *libfile = "?";

/* Problems seen in a case; any non-zero one makes the exit status 1. */
struct faults {
	long failed;	/* an API call returned an error */
	long lost;	/* a message that never arrived */
	long dup;	/* a message that arrived twice */
	long reorder;	/* a message that arrived after a later one */
	long corrupt;	/* a payload that did not check out */
};

static int faults_total(const struct faults *f)
{
	return f->failed || f->lost || f->dup || f->reorder || f->corrupt;
}

static void identify_library(void)
{
	MQTTClient_nameValue *info = MQTTClient_getVersionInfo();

	for (; info && info->name; info++)
		if (strcmp(info->name, "Product name") == 0)
			product = info->value;
	/* dlsym, not &MQTTClient_create: the address must lie in the library,
	 * never in a PLT stub of this executable. */
	libfile = bu_library_file(dlsym(RTLD_DEFAULT, "MQTTClient_create"));
	fprintf(stderr, "sync_latency: %s (%s)\n", product, libfile);
}

/* Set by a case just before report() to add these fields (negative: absent). */
static double report_extra_total_s = -1;
static double report_extra_kb_per_client = -1;

/* Prints one RESULT line from the samples of a case. */
static void report(const char *name, double *samples, size_t n, double cpu_us,
		   long threads, const struct faults *f)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += samples[i];
	bu_result_begin(name, product, libfile);
	bu_result_int("n", (long)n);
	bu_result_num("p50_us", bu_percentile(samples, n, 50));
	bu_result_num("p99_us", bu_percentile(samples, n, 99));
	bu_result_num("min_us", n ? samples[0] : -1);
	bu_result_num("max_us", n ? samples[n - 1] : -1);
	bu_result_num("mean_us", n ? sum / n : -1);
	bu_result_num("cpu_us_per_op", n ? cpu_us / n : -1);
	bu_result_int("threads", threads);
	bu_result_int("rss_kb", bu_proc_status("VmRSS"));
	bu_result_int("hwm_kb", bu_proc_status("VmHWM"));
	if (report_extra_total_s >= 0)
		bu_result_num("total_s", report_extra_total_s);
	if (report_extra_kb_per_client >= 0)
		bu_result_num("kb_per_client", report_extra_kb_per_client);
	bu_result_int("failed", f->failed);
	bu_result_int("lost", f->lost);
	bu_result_int("dup", f->dup);
	bu_result_int("reorder", f->reorder);
	bu_result_int("corrupt", f->corrupt);
	bu_result_end();
}

static MQTTClient new_client(const char *tag)
{
	MQTTClient c;
	int rc = MQTTClient_create(&c, uri, bu_client_id(tag), MQTTCLIENT_PERSISTENCE_NONE, NULL);

	if (rc != MQTTCLIENT_SUCCESS) {
		fprintf(stderr, "sync_latency: MQTTClient_create(%s): %d\n", uri, rc);
		exit(2);
	}
	return c;
}

static void connect_client(MQTTClient c)
{
	MQTTClient_connectOptions opts = MQTTClient_connectOptions_initializer;
	int rc;

	opts.keepAliveInterval = 60;
	opts.cleansession = 1;
	/* ssl:// (link with paho-mqtt3cs): the CA file from BENCH_TLS_CAFILE. */
	MQTTClient_SSLOptions ssl = MQTTClient_SSLOptions_initializer;
	if (strncmp(uri, "ssl://", 6) == 0) {
		ssl.trustStore = getenv("BENCH_TLS_CAFILE");
		opts.ssl = &ssl;
	}
	rc = MQTTClient_connect(c, &opts);
	if (rc != MQTTCLIENT_SUCCESS) {
		fprintf(stderr, "sync_latency: connect to %s: %d %s\n", uri, rc,
			MQTTClient_strerror(rc));
		exit(2);
	}
}

static void subscribe(MQTTClient c, const char *topic, int qos)
{
	int rc = MQTTClient_subscribe(c, topic, qos);

	if (rc != MQTTCLIENT_SUCCESS) {
		fprintf(stderr, "sync_latency: subscribe %s: %d\n", topic, rc);
		exit(2);
	}
}

static void close_client(MQTTClient *c)
{
	MQTTClient_disconnect(*c, 1000);
	MQTTClient_destroy(c);
}

/* ---- a receiver that checks sequence numbers and wakes a waiter -------------------------- */

struct receiver {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long next;		/* the seq expected next */
	long received;		/* messages that checked out */
	long delivered;		/* deliveryComplete calls */
	struct faults f;
	MQTTClient echo_to;	/* when set, every good message is republished here */
	const char *echo_topic;
};

static void receiver_init(struct receiver *r)
{
	pthread_condattr_t attr;

	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &attr);
	pthread_condattr_destroy(&attr);
}

/* Waits until *counter (a field of r) reaches `count` or WAIT_MS passed; 0 on timeout. */
static int wait_count(struct receiver *r, const long *counter, long count)
{
	struct timespec deadline;
	int ok = 1;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&r->lock);
	while (*counter < count) {
		if (pthread_cond_timedwait(&r->cond, &r->lock, &deadline) == ETIMEDOUT) {
			ok = *counter >= count;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ok;
}

static int receiver_wait(struct receiver *r, long count)
{
	return wait_count(r, &r->received, count);
}

static void on_delivered(void *context, MQTTClient_deliveryToken token)
{
	struct receiver *r = context;

	(void)token;
	pthread_mutex_lock(&r->lock);
	r->delivered++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* "pubwait" + "_1MiB" etc. for payloads other than the default 64 bytes */
static const char *case_name(const char *base)
{
	static char name[64];

	if (payload_len == 64)
		snprintf(name, sizeof name, "%s", base);
	else
		snprintf(name, sizeof name, "%s_%s", base, bu_size_name(payload_len));
	return name;
}

static int on_message(void *context, char *topic, int topic_len, MQTTClient_message *m)
{
	struct receiver *r = context;
	long seq = bu_check_payload(m->payload, (size_t)m->payloadlen);
	int good = 0;

	(void)topic_len;
	pthread_mutex_lock(&r->lock);
	if (seq < 0)
		r->f.corrupt++;
	else if (seq < r->next)
		r->f.dup++;
	else {
		if (seq > r->next)
			r->f.reorder++;
		r->next = seq + 1;
		r->received++;
		good = 1;
	}
	pthread_mutex_unlock(&r->lock);

	if (good && r->echo_to) {
		int rc = MQTTClient_publish(r->echo_to, r->echo_topic, m->payloadlen, m->payload,
					    msg_qos, 0, NULL);
		if (rc != MQTTCLIENT_SUCCESS) {
			pthread_mutex_lock(&r->lock);
			r->f.failed++;
			pthread_mutex_unlock(&r->lock);
		}
	}
	pthread_mutex_lock(&r->lock);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);

	MQTTClient_freeMessage(&m);
	MQTTClient_free(topic);
	return 1;
}

static void on_lost(void *context, char *cause)
{
	(void)context;
	fprintf(stderr, "sync_latency: connection lost: %s\n", cause ? cause : "(no cause)");
}

static void merge_faults(struct faults *into, struct receiver *r)
{
	pthread_mutex_lock(&r->lock);
	into->failed += r->f.failed;
	into->dup += r->f.dup;
	into->reorder += r->f.reorder;
	into->corrupt += r->f.corrupt;
	pthread_mutex_unlock(&r->lock);
}

/* ---- the cases ---------------------------------------------------------------------------- */

/* With callbacks set, Paho runs a background receive thread, and a second
 * connect has to get past it: that is the case users notice. */
static int case_connect(int with_callbacks)
{
	MQTTClient a, b;
	struct receiver ra, rb;
	double t0, t1, t2, cpu0, cpu_first, cpu_second, first, second;
	long threads;
	struct faults none = {0};

	receiver_init(&ra);
	receiver_init(&rb);
	cpu0 = bu_cpu_us();
	t0 = bu_now_us();
	a = new_client("first");
	if (with_callbacks)
		MQTTClient_setCallbacks(a, &ra, on_lost, on_message, NULL);
	connect_client(a);
	t1 = bu_now_us();
	cpu_first = bu_cpu_us() - cpu0;
	b = new_client("second");
	if (with_callbacks)
		MQTTClient_setCallbacks(b, &rb, on_lost, on_message, NULL);
	connect_client(b);
	t2 = bu_now_us();
	cpu_second = bu_cpu_us() - cpu0 - cpu_first;
	threads = bu_proc_status("Threads");

	first = t1 - t0;
	second = t2 - t1;
	report(with_callbacks ? "connect_cb_first" : "connect_first", &first, 1, cpu_first,
	       threads, &none);
	report(with_callbacks ? "connect_cb_second" : "connect_second", &second, 1, cpu_second,
	       threads, &none);
	close_client(&b);
	close_client(&a);
	return 0;
}

/* N clients connected one after another and all kept connected: the cost of
 * each connect as the process fills up, and resident memory per client. */
static int case_clients(long n)
{
	MQTTClient *clients = calloc((size_t)n, sizeof *clients);
	double *samples = calloc((size_t)n, sizeof *samples);
	double cpu0, cpu, t_all;
	long i, rss0, rss1, threads;
	struct faults none = {0};
	char tag[16];

	rss0 = bu_proc_status("VmRSS");
	cpu0 = bu_cpu_us();
	t_all = bu_now_us();
	for (i = 0; i < n; i++) {
		double t0 = bu_now_us();
		snprintf(tag, sizeof tag, "c%d", (int)(i % 1000000));
		clients[i] = new_client(tag);
		connect_client(clients[i]);
		samples[i] = bu_now_us() - t0;
	}
	t_all = bu_now_us() - t_all;
	cpu = bu_cpu_us() - cpu0;
	rss1 = bu_proc_status("VmRSS");
	threads = bu_proc_status("Threads");

	report_extra_total_s = t_all / 1e6;
	report_extra_kb_per_client = (double)(rss1 - rss0) / n;
	report("clients", samples, (size_t)n, cpu, threads, &none);
	for (i = 0; i < n; i++)
		close_client(&clients[i]);
	free(clients);
	free(samples);
	return 0;
}

/* How the publishing client of case pubwait lives. */
enum pubwait_mode {
	PW_CHECKED,	/* no callbacks; a subscriber in this process checks every message */
	PW_SOLO,	/* the only client of the process, no callbacks: the guide's example */
	PW_CALLBACKS,	/* callbacks set on the publisher too, plus the checking subscriber */
	PW_DELIVERED,	/* as PW_CALLBACKS, but wait for deliveryComplete, not waitForCompletion */
};

static int case_pubwait(long n, enum pubwait_mode mode)
{
	MQTTClient pub, sub = NULL;
	struct receiver checker, own;	/* own: the publisher's callbacks, if any */
	struct faults f = {0};
	const char *topic = bu_topic("pubwait");
	unsigned char *payload = malloc((size_t)payload_len);
	double *samples = calloc((size_t)n, sizeof *samples);
	double cpu0, cpu = 0;
	long i, threads, done = 0;

	receiver_init(&checker);
	receiver_init(&own);
	if (mode != PW_SOLO) {
		sub = new_client("check");
		MQTTClient_setCallbacks(sub, &checker, on_lost, on_message, NULL);
		connect_client(sub);
		subscribe(sub, topic, 1);
	}
	pub = new_client("pub");
	if (mode == PW_CALLBACKS)
		MQTTClient_setCallbacks(pub, &own, on_lost, on_message, NULL);
	if (mode == PW_DELIVERED)
		MQTTClient_setCallbacks(pub, &own, on_lost, on_message, on_delivered);
	connect_client(pub);

	for (i = 0; i < warmup + n; i++) {
		MQTTClient_message m = MQTTClient_message_initializer;
		MQTTClient_deliveryToken token = 0;
		double t0;
		int rc;

		bu_fill_payload(payload, (size_t)payload_len, (unsigned long)i);
		m.payload = payload;
		m.payloadlen = (int)payload_len;
		m.qos = 1;
		cpu0 = bu_cpu_us();
		t0 = bu_now_us();
		rc = MQTTClient_publishMessage(pub, topic, &m, &token);
		if (rc == MQTTCLIENT_SUCCESS && mode == PW_DELIVERED)
			rc = wait_count(&own, &own.delivered, i + 1) ? MQTTCLIENT_SUCCESS
									   : MQTTCLIENT_FAILURE;
		else if (rc == MQTTCLIENT_SUCCESS)
			rc = MQTTClient_waitForCompletion(pub, token, WAIT_MS);
		if (rc != MQTTCLIENT_SUCCESS) {
			fprintf(stderr, "sync_latency: publish %ld: %d\n", i, rc);
			f.failed++;
			break;
		}
		if (i >= warmup) {
			samples[done++] = bu_now_us() - t0;
			cpu += bu_cpu_us() - cpu0;
		}
	}
	threads = bu_proc_status("Threads");

	/* everything published successfully must reach the checker */
	if (sub) {
		receiver_wait(&checker, f.failed ? i : warmup + n);
		pthread_mutex_lock(&checker.lock);
		f.lost = (f.failed ? i : warmup + n) - checker.received;
		pthread_mutex_unlock(&checker.lock);
		if (f.lost < 0)
			f.lost = 0;
		merge_faults(&f, &checker);
	}
	report(case_name(mode == PW_SOLO ? "pubwait_solo" : mode == PW_CALLBACKS ? "pubwait_cb"
			 : mode == PW_DELIVERED ? "pubdc" : "pubwait"),
	       samples, (size_t)done, cpu, threads, &f);

	close_client(&pub);
	if (sub)
		close_client(&sub);
	free(samples);
	free(payload);
	return faults_total(&f);
}

static int case_echo(long n)
{
	MQTTClient a, b;
	struct receiver at_a, at_b;
	struct faults f = {0};
	const char *ping = bu_topic("ping"), *pong = bu_topic("pong");
	unsigned char *payload = malloc((size_t)payload_len);
	double *samples = calloc((size_t)n, sizeof *samples);
	double cpu0, cpu = 0;
	long i, threads, done = 0;

	receiver_init(&at_a);
	receiver_init(&at_b);
	b = new_client("echo");
	at_b.echo_to = b;
	at_b.echo_topic = pong;
	MQTTClient_setCallbacks(b, &at_b, on_lost, on_message, NULL);
	connect_client(b);
	subscribe(b, ping, msg_qos);
	a = new_client("ping");
	MQTTClient_setCallbacks(a, &at_a, on_lost, on_message, NULL);
	connect_client(a);
	subscribe(a, pong, msg_qos);

	for (i = 0; i < warmup + n; i++) {
		MQTTClient_message m = MQTTClient_message_initializer;
		double t0;
		int rc;

		bu_fill_payload(payload, (size_t)payload_len, (unsigned long)i);
		m.payload = payload;
		m.payloadlen = (int)payload_len;
		m.qos = msg_qos;
		cpu0 = bu_cpu_us();
		t0 = bu_now_us();
		rc = MQTTClient_publishMessage(a, ping, &m, NULL);
		if (rc != MQTTCLIENT_SUCCESS) {
			fprintf(stderr, "sync_latency: ping %ld: %d\n", i, rc);
			f.failed++;
			break;
		}
		if (!receiver_wait(&at_a, i + 1)) {
			fprintf(stderr, "sync_latency: no pong for ping %ld within %ld ms\n", i, WAIT_MS);
			break;
		}
		if (i >= warmup) {
			samples[done++] = bu_now_us() - t0;
			cpu += bu_cpu_us() - cpu0;
		}
	}
	threads = bu_proc_status("Threads");

	pthread_mutex_lock(&at_a.lock);
	f.lost = warmup + n - at_a.received - f.failed;
	pthread_mutex_unlock(&at_a.lock);
	merge_faults(&f, &at_a);
	merge_faults(&f, &at_b);
	report(case_name(msg_qos ? "echo" : "echo_qos0"), samples, (size_t)done, cpu, threads, &f);

	close_client(&a);
	close_client(&b);
	free(samples);
	free(payload);
	return faults_total(&f);
}

int main(int argc, char **argv)
{
	const char *which;
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 100;

	payload_len = argc > 4 ? strtol(argv[4], NULL, 10) : 64;
	if (payload_len > 65536)
		warmup = 1;
	if (argc < 3 || n < 1 || payload_len < 16 || payload_len > 256L << 20) {
		fprintf(stderr, "usage: %s URI connect|connect_cb|pubwait|pubwait_solo|pubwait_cb|pubdc|echo|echo_qos0|clients [N [PAYLOAD_BYTES]]\n", argv[0]);
		return 2;
	}
	uri = argv[1];
	which = argv[2];
	identify_library();
	/* generous: Paho needs ~100 ms per waited operation, plus 2 s per extra connect */
	/* generous, also for Paho's ~3 s per 16 MiB message */
	bu_watchdog((unsigned)(60 + n / 2 + (n + warmup) * (payload_len >> 20) / 2), which);

	if (strcmp(which, "connect") == 0)
		return case_connect(0);
	if (strcmp(which, "connect_cb") == 0)
		return case_connect(1);
	if (strcmp(which, "pubwait") == 0)
		return case_pubwait(n, PW_CHECKED);
	if (strcmp(which, "pubwait_solo") == 0)
		return case_pubwait(n, PW_SOLO);
	if (strcmp(which, "pubwait_cb") == 0)
		return case_pubwait(n, PW_CALLBACKS);
	if (strcmp(which, "clients") == 0)
		return case_clients(n);
	if (strcmp(which, "pubdc") == 0)
		return case_pubwait(n, PW_DELIVERED);
	if (strcmp(which, "echo") == 0)
		return case_echo(n);
	if (strcmp(which, "echo_qos0") == 0) {
		msg_qos = 0;
		return case_echo(n);
	}
	fprintf(stderr, "sync_latency: unknown case %s\n", which);
	return 2;
}
