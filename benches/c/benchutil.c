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

/* Payload layout: seq (8 bytes LE), total length (4 bytes LE), "BNCH", then
 * a byte pattern that depends on seq and position. */
static unsigned char pattern_byte(unsigned long seq, size_t i)
{
	return (unsigned char)((seq * 131u + i * 7u + 13u) & 0xff);
}

void bu_fill_payload(unsigned char *buf, size_t len, unsigned long seq)
{
	size_t i;
	uint64_t s = seq;
	uint32_t l = (uint32_t)len;

	for (i = 0; i < 8; i++)
		buf[i] = (unsigned char)(s >> (8 * i));
	for (i = 0; i < 4; i++)
		buf[8 + i] = (unsigned char)(l >> (8 * i));
	memcpy(buf + 12, "BNCH", 4);
	for (i = 16; i < len; i++)
		buf[i] = pattern_byte(seq, i);
}

long bu_check_payload(const void *p, size_t len)
{
	const unsigned char *buf = p;
	uint64_t s = 0;
	uint32_t l = 0;
	size_t i;

	if (len < 16 || memcmp(buf + 12, "BNCH", 4) != 0)
		return -1;
	for (i = 0; i < 8; i++)
		s |= (uint64_t)buf[i] << (8 * i);
	for (i = 0; i < 4; i++)
		l |= (uint32_t)buf[8 + i] << (8 * i);
	if (l != len || s > LONG_MAX)
		return -1;
	for (i = 16; i < len; i++)
		if (buf[i] != pattern_byte((unsigned long)s, i))
			return -1;
	return (long)s;
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
