#define _GNU_SOURCE
#include "benchutil.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

double bu_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double bu_cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6
		+ ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

long bu_proc_status(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t klen = strlen(key);
	long value = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			value = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return value;
}

const char *bu_library_file(void *fn)
{
	static char path[PATH_MAX];
	Dl_info info;

	if (!dladdr(fn, &info) || !info.dli_fname)
		return "?";
	if (!realpath(info.dli_fname, path))
		snprintf(path, sizeof path, "%s", info.dli_fname);
	return path;
}

const char *bu_loaded_file(const char *soname)
{
	static char path[PATH_MAX];
	struct link_map *map = NULL;
	void *h = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);

	if (!h)
		return "?";
	if (dlinfo(h, RTLD_DI_LINKMAP, &map) != 0 || !map || !map->l_name ||
	    !realpath(map->l_name, path))
		snprintf(path, sizeof path, "?");
	dlclose(h);
	return path;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bu_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return -1;
	qsort(v, n, sizeof *v, cmp_double);
	/* nearest rank: the smallest value with at least p% of samples at or below it */
	rank = (size_t)((p / 100.0) * n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/* Payload layout: seq (8 bytes LE), total length (4 bytes LE), "BNCH", a fixed
 * byte pattern, and seq again in the last 8 bytes (when len >= 24). The pattern
 * depends on the position only, so filling and checking are a memcpy and a
 * memcmp against one template: cheap enough not to be counted as the library's
 * CPU time even for 16 MiB payloads; seq at both ends catches messages spliced
 * together, the length catches truncation, the memcmp any damaged byte. */
static unsigned char *template_buf;
static size_t template_len;

static const unsigned char *payload_template(size_t len)
{
	size_t i;

	if (len > template_len) {
		unsigned char *t = realloc(template_buf, len);
		if (!t) {
			fprintf(stderr, "bench: out of memory for a %zu byte payload\n", len);
			exit(2);
		}
		for (i = template_len; i < len; i++)
			t[i] = (unsigned char)((i * 7u + 13u + (i >> 8) * 31u + (i >> 16) * 17u) & 0xff);
		template_buf = t;
		template_len = len;
	}
	return template_buf;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	int i;
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;
	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void bu_fill_payload(unsigned char *buf, size_t len, unsigned long seq)
{
	const unsigned char *t = payload_template(len);

	memcpy(buf + 16, t + 16, len - 16);
	put_le(buf, seq, 8);
	put_le(buf + 8, (uint32_t)len, 4);
	memcpy(buf + 12, "BNCH", 4);
	if (len >= 24)
		put_le(buf + len - 8, seq, 8);
}

long bu_check_payload(const void *p, size_t len)
{
	const unsigned char *buf = p;
	const unsigned char *t;
	uint64_t s;
	size_t body_end = len >= 24 ? len - 8 : len;

	if (len < 16 || memcmp(buf + 12, "BNCH", 4) != 0 || get_le(buf + 8, 4) != len)
		return -1;
	s = get_le(buf, 8);
	if (s > LONG_MAX || (len >= 24 && get_le(buf + len - 8, 8) != s))
		return -1;
	/* Only the filling thread grows the template, before it sends; a length it
	 * never sent cannot be a good message (and must not race a realloc). */
	if (len > template_len)
		return -1;
	t = template_buf;
	if (memcmp(buf + 16, t + 16, body_end - 16) != 0)
		return -1;
	return (long)s;
}

const char *bu_size_name(long bytes)
{
	static char name[32];

	if (bytes >= (1L << 20) && bytes % (1L << 20) == 0)
		snprintf(name, sizeof name, "%ldMiB", bytes >> 20);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(name, sizeof name, "%ldKiB", bytes >> 10);
	else
		snprintf(name, sizeof name, "%ldB", bytes);
	return name;
}

const char *bu_client_id(const char *tag)
{
	static char ids[8][24];
	static int slot;
	char *id = ids[slot++ % 8];

	snprintf(id, sizeof ids[0], "bench-%ld-%s", (long)getpid(), tag);
	return id;
}

const char *bu_topic(const char *suffix)
{
	static char topics[8][128];
	static int slot;
	char *t = topics[slot++ % 8];

	snprintf(t, sizeof topics[0], "bench/%ld/%s", (long)getpid(), suffix);
	return t;
}

static int result_fields;

static void put_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_key(const char *key)
{
	printf(result_fields++ ? ", " : "");
	put_json_string(key);
	printf(": ");
}

void bu_result_begin(const char *case_name, const char *product, const char *file)
{
	result_fields = 0;
	printf("RESULT {");
	bu_result_str("case", case_name);
	bu_result_str("lib", product);
	bu_result_str("file", file);
}

void bu_result_str(const char *key, const char *value)
{
	put_key(key);
	put_json_string(value ? value : "");
}

void bu_result_num(const char *key, double value)
{
	put_key(key);
	printf("%.3f", value);
}

void bu_result_int(const char *key, long value)
{
	put_key(key);
	printf("%ld", value);
}

void bu_result_end(void)
{
	printf("}\n");
	fflush(stdout);
}

static const char *watchdog_what = "";

static void on_alarm(int sig)
{
	static const char msg[] = "bench: watchdog fired while: ";
	(void)sig;
	/* only async-signal-safe calls here */
	if (write(2, msg, sizeof msg - 1) < 0 ||
	    write(2, watchdog_what, strlen(watchdog_what)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

void bu_watchdog(unsigned seconds, const char *what)
{
	watchdog_what = what;
	signal(SIGALRM, on_alarm);
	alarm(seconds);
}
