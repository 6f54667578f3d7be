/* Chained hash map with striped locks. Keys are hashed with FNV-1a over
 * their bytes; callers only use random ids or hashes as keys, so no
 * attacker-chosen collisions. */
#include "util/hmap.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

#define STRIPES 64

struct entry {
        struct entry *next;
        unsigned char data[]; /* key then value */
};

struct sr_hmap {
        size_t key_len, val_len, nbuckets;
        struct entry **buckets;
        pthread_mutex_t locks[STRIPES];
        size_t count;
};

static size_t
hash(const struct sr_hmap *m, const void *key)
{
        const unsigned char *p = key;
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < m->key_len; i++) {
                h ^= p[i];
                h *= 1099511628211ull;
        }
        return (size_t)(h % m->nbuckets);
}

enum sr_rc
sr_hmap_new(size_t key_len, size_t val_len, size_t buckets, struct sr_hmap **ret)
{
        struct sr_hmap *m = sr_calloc(1, sizeof(*m));
        if (m == NULL)
                return SR_E_NOMEM;
        m->key_len = key_len;
        m->val_len = val_len;
        m->nbuckets = buckets < STRIPES ? STRIPES : buckets;
        m->buckets = sr_calloc(m->nbuckets, sizeof(*m->buckets));
        if (m->buckets == NULL) {
                sr_free(m);
                return SR_E_NOMEM;
        }
        for (int i = 0; i < STRIPES; i++)
                pthread_mutex_init(&m->locks[i], NULL);
        *ret = m;
        return SR_OK;
}

void
sr_hmap_free(struct sr_hmap *m)
{
        if (m == NULL)
                return;
        for (size_t b = 0; b < m->nbuckets; b++) {
                struct entry *e = m->buckets[b];
                while (e != NULL) {
                        struct entry *n = e->next;
                        sr_free(e);
                        e = n;
                }
        }
        for (int i = 0; i < STRIPES; i++)
                pthread_mutex_destroy(&m->locks[i]);
        sr_free(m->buckets);
        sr_free(m);
}

static struct entry **
find(struct sr_hmap *m, size_t b, const void *key)
{
        struct entry **pe = &m->buckets[b];
        while (*pe != NULL && memcmp((*pe)->data, key, m->key_len) != 0)
                pe = &(*pe)->next;
        return pe;
}

bool
sr_hmap_get(struct sr_hmap *m, const void *key, void *ret_val)
{
        size_t b = hash(m, key);
        pthread_mutex_lock(&m->locks[b % STRIPES]);
        struct entry *e = *find(m, b, key);
        if (e != NULL)
                memcpy(ret_val, e->data + m->key_len, m->val_len);
        pthread_mutex_unlock(&m->locks[b % STRIPES]);
        return e != NULL;
}

enum sr_rc
sr_hmap_put(struct sr_hmap *m, const void *key, const void *val)
{
        size_t b = hash(m, key);
        pthread_mutex_lock(&m->locks[b % STRIPES]);
        struct entry **pe = find(m, b, key);
        if (*pe == NULL) {
                struct entry *e = sr_malloc(sizeof(*e) + m->key_len + m->val_len);
                if (e == NULL) {
                        pthread_mutex_unlock(&m->locks[b % STRIPES]);
                        return SR_E_NOMEM;
                }
                e->next = NULL;
                memcpy(e->data, key, m->key_len);
                *pe = e;
                __atomic_add_fetch(&m->count, 1, __ATOMIC_RELAXED);
        }
        memcpy((*pe)->data + m->key_len, val, m->val_len);
        pthread_mutex_unlock(&m->locks[b % STRIPES]);
        return SR_OK;
}

void
sr_hmap_del(struct sr_hmap *m, const void *key)
{
        size_t b = hash(m, key);
        pthread_mutex_lock(&m->locks[b % STRIPES]);
        struct entry **pe = find(m, b, key);
        if (*pe != NULL) {
                struct entry *e = *pe;
                *pe = e->next;
                sr_free(e);
                __atomic_sub_fetch(&m->count, 1, __ATOMIC_RELAXED);
        }
        pthread_mutex_unlock(&m->locks[b % STRIPES]);
}

bool
sr_hmap_update(struct sr_hmap *m, const void *key, void (*fn)(void *val, void *arg), void *arg)
{
        size_t b = hash(m, key);
        pthread_mutex_lock(&m->locks[b % STRIPES]);
        struct entry *e = *find(m, b, key);
        if (e != NULL)
                fn(e->data + m->key_len, arg);
        pthread_mutex_unlock(&m->locks[b % STRIPES]);
        return e != NULL;
}

void
sr_hmap_sweep(struct sr_hmap *m, bool (*fn)(const void *key, void *val, void *arg), void *arg)
{
        for (size_t b = 0; b < m->nbuckets; b++) {
                pthread_mutex_lock(&m->locks[b % STRIPES]);
                struct entry **pe = &m->buckets[b];
                while (*pe != NULL) {
                        struct entry *e = *pe;
                        if (fn(e->data, e->data + m->key_len, arg)) {
                                *pe = e->next;
                                sr_free(e);
                                __atomic_sub_fetch(&m->count, 1, __ATOMIC_RELAXED);
                        } else {
                                pe = &e->next;
                        }
                }
                pthread_mutex_unlock(&m->locks[b % STRIPES]);
        }
}

static bool
every(const void *key, void *val, void *arg)
{
        (void)key;
        (void)val;
        (void)arg;
        return true;
}

void
sr_hmap_clear(struct sr_hmap *m)
{
        sr_hmap_sweep(m, every, NULL);
}

size_t
sr_hmap_count(struct sr_hmap *m)
{
        return __atomic_load_n(&m->count, __ATOMIC_RELAXED);
}
