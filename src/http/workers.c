/* Fixed worker threads over a ring buffer queue. */
#include "http/workers.h"

#include <pthread.h>
#include <stdbool.h>

#include "store/store.h"
#include "util/alloc.h"

struct job {
        void (*fn)(void *);
        void *arg;
};

struct sr_workers {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        struct job *ring;
        unsigned cap, head, len, nthreads;
        bool stopping;
        pthread_t *threads;
};

static void *
run(void *p)
{
        struct sr_workers *w = p;
        for (;;) {
                pthread_mutex_lock(&w->lock);
                while (w->len == 0 && !w->stopping)
                        pthread_cond_wait(&w->cond, &w->lock);
                if (w->len == 0) {
                        pthread_mutex_unlock(&w->lock);
                        break;
                }
                struct job j = w->ring[w->head];
                w->head = (w->head + 1) % w->cap;
                w->len--;
                pthread_mutex_unlock(&w->lock);
                j.fn(j.arg);
        }
        sr_store_thread_done();
        return NULL;
}

enum sr_rc
sr_workers_new(unsigned threads, unsigned queue_max, struct sr_workers **ret)
{
        struct sr_workers *w = sr_calloc(1, sizeof(*w));
        if (w == NULL)
                return SR_E_NOMEM;
        w->cap = queue_max;
        w->ring = sr_calloc(queue_max, sizeof(*w->ring));
        w->threads = sr_calloc(threads, sizeof(*w->threads));
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        if (w->ring == NULL || w->threads == NULL) {
                sr_workers_free(w);
                return SR_E_NOMEM;
        }
        for (; w->nthreads < threads; w->nthreads++) {
                if (pthread_create(&w->threads[w->nthreads], NULL, run, w) != 0) {
                        sr_workers_free(w);
                        return SR_E_INTERNAL;
                }
        }
        *ret = w;
        return SR_OK;
}

void
sr_workers_free(struct sr_workers *w)
{
        if (w == NULL)
                return;
        pthread_mutex_lock(&w->lock);
        w->stopping = true;
        pthread_cond_broadcast(&w->cond);
        pthread_mutex_unlock(&w->lock);
        for (unsigned i = 0; i < w->nthreads; i++)
                pthread_join(w->threads[i], NULL);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        sr_free(w->threads);
        sr_free(w->ring);
        sr_free(w);
}

enum sr_rc
sr_workers_submit(struct sr_workers *w, void (*fn)(void *), void *arg)
{
        pthread_mutex_lock(&w->lock);
        if (w->len == w->cap || w->stopping) {
                pthread_mutex_unlock(&w->lock);
                return SR_E_BUSY;
        }
        w->ring[(w->head + w->len) % w->cap] = (struct job){fn, arg};
        w->len++;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        return SR_OK;
}
