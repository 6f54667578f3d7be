#pragma once
/* A fixed-key-size hash map guarded by striped mutexes, for the in-memory
 * hot paths (sessions, user epochs, rate-limit buckets). Values are copied
 * in and out, so no pointer into the map ever escapes its lock. */
#include <stdbool.h>
#include <stddef.h>

#include "util/rc.h"

struct sr_hmap;

/* key_len and val_len are fixed for the map. Free with sr_hmap_free. */
SR_NODISCARD enum sr_rc sr_hmap_new(size_t key_len, size_t val_len, size_t buckets,
                                    struct sr_hmap **ret);
void sr_hmap_free(struct sr_hmap *m);
/* Copies the value out; false when absent. */
bool sr_hmap_get(struct sr_hmap *m, const void *key, void *ret_val);
SR_NODISCARD enum sr_rc sr_hmap_put(struct sr_hmap *m, const void *key, const void *val);
void sr_hmap_del(struct sr_hmap *m, const void *key);
/* Calls fn on every entry under its stripe's lock; fn returns true to
 * delete the entry. fn may modify *val in place. */
void sr_hmap_sweep(struct sr_hmap *m, bool (*fn)(const void *key, void *val, void *arg), void *arg);
/* Deletes every entry. */
void sr_hmap_clear(struct sr_hmap *m);
/* Runs fn on the entry in place under the lock; false when absent. */
bool sr_hmap_update(struct sr_hmap *m, const void *key, void (*fn)(void *val, void *arg), void *arg);
size_t sr_hmap_count(struct sr_hmap *m);
