/*
 * A thread-safe event log for callback tests: callbacks append lines (from
 * the library's threads), the main thread waits for a number of lines and
 * prints them. Printing from one place keeps stdout free of interleaving
 * between threads, which would make the diff output nondeterministic.
 */
#ifndef EVENTS_H
#define EVENTS_H

void ev_add(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
int ev_count(void);
/* Waits until at least n events were added or timeout_ms passed; returns the
 * count. */
int ev_wait(int n, int timeout_ms);
/* Prints every event on stdout, each prefixed with `prefix`, and clears. */
void ev_flush(const char *prefix);
/* Like ev_flush, but groups events by their first word (e.g. the client
 * name), groups sorted by that word, each group in its own order: the order
 * between two clients' callbacks is not deterministic, within one client it
 * is. */
void ev_flush_grouped(const char *prefix);

#endif
