#define _POSIX_C_SOURCE 200809L
#include "async_wait.h"

#include <time.h>

void async_wait_init(struct async_wait* w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->pending = 0;
	w->failed = 0;
	w->rc = 0;
}

void async_wait_start(struct async_wait* w)
{
	pthread_mutex_lock(&w->lock);
	w->pending++;
	pthread_mutex_unlock(&w->lock);
}

void async_wait_done(struct async_wait* w, int ok, int rc)
{
	pthread_mutex_lock(&w->lock);
	w->pending--;
	if (!ok)
	{
		w->failed++;
		w->rc = rc;
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int async_wait_all(struct async_wait* w, volatile int* stop, int timeout_ms)
{
	struct timespec start, now;
	int left;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pthread_mutex_lock(&w->lock);
	while (w->pending > 0 && !(stop && *stop))
	{
		struct timespec until;
		long elapsed;

		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (timeout_ms >= 0 && elapsed >= timeout_ms)
			break;
		/* the condition variable uses CLOCK_REALTIME; a short slice keeps *stop responsive */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000000L;
		if (until.tv_nsec >= 1000000000L)
		{
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->cond, &w->lock, &until);
	}
	left = w->pending;
	pthread_mutex_unlock(&w->lock);
	return left;
}
