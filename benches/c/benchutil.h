/*
 * Helpers shared by the benchmark programs in benches/c.
 *
 * The programs use only the public Paho API. They are compiled once and run
 * against any library directory through LD_LIBRARY_PATH, so every result says
 * which library was really loaded and what it cost the process (CPU time,
 * threads, memory). Results are printed one per line as
 *
 *     RESULT {"case":"...", "lib":"...", ...}
 *
 * which benches/run.py parses; everything else on stdout/stderr is for humans.
 */
#ifndef BENCHUTIL_H
#define BENCHUTIL_H

#include <stddef.h>

/* Microseconds on the monotonic clock. */
double bu_now_us(void);

/* User + system CPU time of the whole process (all threads), in microseconds. */
double bu_cpu_us(void);

/* A field of /proc/self/status as a number ("Threads", "VmRSS", "VmHWM" in kB),
 * or -1 when it cannot be read. */
long bu_proc_status(const char *key);

/* The real path of the shared object that holds `fn` (dladdr + realpath), in a
 * static buffer; "?" when unknown. */
const char *bu_library_file(void *fn);

/* The real path of an already loaded shared object, by its soname (for a
 * library that lacks the symbol one would ask dladdr about); "?" if not loaded. */
const char *bu_loaded_file(const char *soname);

/* Sorts `v` in place and returns the nearest-rank percentile p (0..100). */
double bu_percentile(double *v, size_t n, double p);

/* Writes a payload of `len` bytes (len >= 16) that encodes `seq` and a pattern
 * derived from it, so a receiver can tell loss, duplication, reordering and
 * corruption apart. */
void bu_fill_payload(unsigned char *buf, size_t len, unsigned long seq);
/* The seq encoded in a payload written by bu_fill_payload, or -1 when the
 * payload is not one (wrong length for its header, or a damaged byte). */
long bu_check_payload(const void *buf, size_t len);

/* A payload size for case names: "64B", "4KiB", "16MiB" (static buffer). */
const char *bu_size_name(long bytes);

/* A client id unique to this process: "bench-<pid>-<tag>" (at most 23 chars). */
const char *bu_client_id(const char *tag);

/* A topic unique to this process: "bench/<pid>/<suffix>", static ring buffer. */
const char *bu_topic(const char *suffix);

/* Building one RESULT line. Strings are JSON-escaped. */
void bu_result_begin(const char *case_name, const char *product, const char *file);
void bu_result_str(const char *key, const char *value);
void bu_result_num(const char *key, double value);
void bu_result_int(const char *key, long value);
void bu_result_end(void);

/* Arms an alarm: after `seconds` the process prints `what` on stderr and exits 3,
 * so a hung library cannot stall the whole benchmark run. */
void bu_watchdog(unsigned seconds, const char *what);

#endif
