/* A small completion counter for the async tools: callbacks (on library threads) report,
 * the main thread waits. */
#ifndef ASYNC_WAIT_H
#define ASYNC_WAIT_H

#include <pthread.h>

struct async_wait
{
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int pending;   /* operations started and not finished */
	int failed;    /* operations that finished with a failure */
	int rc;        /* the code of the last failure */
};

void async_wait_init(struct async_wait* w);
void async_wait_start(struct async_wait* w);
void async_wait_done(struct async_wait* w, int ok, int rc);
/* Waits until nothing is pending or *stop becomes non-zero (checked every 200 ms) or
 * timeout_ms passes (<0: no timeout). Returns the number of pending operations left. */
int async_wait_all(struct async_wait* w, volatile int* stop, int timeout_ms);

#endif
