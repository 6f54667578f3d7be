/* Field encryption over the key hierarchy (DATA-2, PRIV-3). Wrapped keys
 * are read from the region's keystore on use and kept unwrapped in a small
 * cache of guarded memory: account data keys until shutdown, subject keys
 * for a minute (a shred on this node drops them at once). */
#include "domain/vault/vault.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/blindidx.h"
#include "crypto/keyring.h"
#include "util/alloc.h"
#include "util/clock.h"

#define KEY_VERSION 1
#define CACHE_SLOTS 4096
/* Subject keys are cached briefly: long enough to serve a burst of
 * requests, short enough that a missed erasure on another node wins
 * within a minute. Shredding drops the entry here and, through
 * domain/cluster, on the other nodes. */
#define SUBJECT_TTL_MS 60000u

struct cached_key {
        char account_id[SR_ID_LEN + 1];
        char owner_id[SR_ID_LEN + 1];
        uint64_t expires_ms;
        struct sr_secret *key; /* guarded memory */
};

struct sr_vault {
        struct sr_store *st;
        struct sr_secret *master;
        pthread_mutex_t lock;
        struct cached_key cache[CACHE_SLOTS];
};

enum sr_rc
sr_vault_new(struct sr_store *st, struct sr_secret *master, struct sr_vault **ret)
{
        struct sr_vault *v = sr_calloc(1, sizeof(*v));
        if (v == NULL)
                return SR_E_NOMEM;
        v->st = st;
        v->master = master;
        pthread_mutex_init(&v->lock, NULL);
        *ret = v;
        return SR_OK;
}

void
sr_vault_free(struct sr_vault *v)
{
        if (v == NULL)
                return;
        for (int i = 0; i < CACHE_SLOTS; i++)
                sr_secret_free(v->cache[i].key);
        sr_secret_free(v->master);
        pthread_mutex_destroy(&v->lock);
        sr_free(v);
}

static enum sr_rc
store_new_key(struct sr_vault *v, enum sr_region r, const char *account_id, const char *owner_id,
              const struct sr_secret *wrapping)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *key = NULL;
        SR_CLEANUP(sr_freep) unsigned char *wrapped = NULL;
        size_t wrapped_len = 0;
        enum sr_rc rc = sr_keyring_new_wrapped(wrapping, owner_id, &key, &wrapped, &wrapped_len);
        if (rc != SR_OK)
                return rc;
        return sr_store_key_put(v->st, r, account_id, owner_id, wrapped, wrapped_len);
}

enum sr_rc
sr_vault_account_create(struct sr_vault *v, enum sr_region r, const char *account_id)
{
        return store_new_key(v, r, account_id, account_id, v->master);
}

static size_t
slot_of(const char *account_id, const char *owner_id)
{
        size_t h = 5381;
        for (const char *p = account_id; *p; p++)
                h = h * 33 + (unsigned char)*p;
        for (const char *p = owner_id; *p; p++)
                h = h * 33 + (unsigned char)*p;
        return h % CACHE_SLOTS;
}

/* A fresh copy of a cached key, or SR_E_NOT_FOUND. */
static enum sr_rc
cache_get(struct sr_vault *v, const char *account_id, const char *owner_id,
          struct sr_secret **ret)
{
        struct cached_key *c = &v->cache[slot_of(account_id, owner_id)];
        enum sr_rc rc = SR_E_NOT_FOUND;
        pthread_mutex_lock(&v->lock);
        if (c->key != NULL && strcmp(c->account_id, account_id) == 0 &&
            strcmp(c->owner_id, owner_id) == 0 && sr_clock_mono_ms() < c->expires_ms)
                rc = sr_secret_new(c->key->bytes, c->key->len, ret);
        pthread_mutex_unlock(&v->lock);
        return rc;
}

static void
cache_put(struct sr_vault *v, const char *account_id, const char *owner_id,
          const struct sr_secret *key, uint64_t ttl_ms)
{
        struct sr_secret *copy = NULL;
        if (sr_secret_new(key->bytes, key->len, &copy) != SR_OK)
                return;
        if (sr_secret_guard(copy) != SR_OK) {
                sr_secret_free(copy); /* no cache entry; the answer stands */
                return;
        }
        struct cached_key *c = &v->cache[slot_of(account_id, owner_id)];
        pthread_mutex_lock(&v->lock);
        sr_secret_free(c->key);
        c->key = copy;
        snprintf(c->account_id, sizeof(c->account_id), "%s", account_id);
        snprintf(c->owner_id, sizeof(c->owner_id), "%s", owner_id);
        c->expires_ms = ttl_ms == UINT64_MAX ? UINT64_MAX : sr_clock_mono_ms() + ttl_ms;
        pthread_mutex_unlock(&v->lock);
}

/* Under v->lock. */
static void
slot_clear(struct cached_key *c)
{
        sr_secret_free(c->key);
        c->key = NULL;
}

static void
cache_drop(struct sr_vault *v, const char *account_id, const char *owner_id)
{
        struct cached_key *c = &v->cache[slot_of(account_id, owner_id)];
        pthread_mutex_lock(&v->lock);
        if (c->key != NULL && strcmp(c->account_id, account_id) == 0 &&
            strcmp(c->owner_id, owner_id) == 0)
                slot_clear(c);
        pthread_mutex_unlock(&v->lock);
}

static enum sr_rc
account_key(struct sr_vault *v, enum sr_region r, const char *account_id, struct sr_secret **ret)
{
        enum sr_rc rc = cache_get(v, account_id, account_id, ret);
        if (rc != SR_E_NOT_FOUND)
                return rc;
        struct sr_blob wrapped = {0};
        rc = sr_store_key_get(v->st, r, account_id, account_id, &wrapped);
        if (rc != SR_OK)
                return rc;
        struct sr_secret *key = NULL;
        rc = sr_keyring_unwrap(v->master, account_id, wrapped.p, wrapped.len, &key);
        sr_blob_fini(&wrapped);
        if (rc != SR_OK)
                return rc;
        cache_put(v, account_id, account_id, key, UINT64_MAX);
        *ret = key;
        return SR_OK;
}

enum sr_rc
sr_vault_subject_create(struct sr_vault *v, enum sr_region r, const char *account_id,
                        const char *subject_id)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *akey = NULL;
        enum sr_rc rc = account_key(v, r, account_id, &akey);
        if (rc != SR_OK)
                return rc;
        return store_new_key(v, r, account_id, subject_id, akey);
}

void
sr_vault_forget_owner(struct sr_vault *v, const char *owner_id)
{
        pthread_mutex_lock(&v->lock);
        for (int i = 0; i < CACHE_SLOTS; i++)
                if (v->cache[i].key != NULL && strcmp(v->cache[i].owner_id, owner_id) == 0)
                        slot_clear(&v->cache[i]);
        pthread_mutex_unlock(&v->lock);
}

void
sr_vault_forget_all(struct sr_vault *v)
{
        pthread_mutex_lock(&v->lock);
        for (int i = 0; i < CACHE_SLOTS; i++)
                slot_clear(&v->cache[i]);
        pthread_mutex_unlock(&v->lock);
}

enum sr_rc
sr_vault_subject_shred(struct sr_vault *v, enum sr_region r, const char *account_id,
                       const char *subject_id)
{
        if (strcmp(account_id, subject_id) == 0)
                return SR_E_INTERNAL; /* accounts are closed elsewhere */
        cache_drop(v, account_id, subject_id);
        return sr_store_key_shred(v->st, r, account_id, subject_id);
}

enum sr_rc
sr_vault_key(struct sr_vault *v, enum sr_region r, const char *account_id,
             const char *subject_id, struct sr_secret **ret_key)
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *akey = NULL;
        enum sr_rc rc = account_key(v, r, account_id, &akey);
        if (rc != SR_OK)
                return rc;
        if (subject_id == NULL) {
                *ret_key = SR_TAKE(akey);
                return SR_OK;
        }
        rc = cache_get(v, account_id, subject_id, ret_key);
        if (rc != SR_E_NOT_FOUND)
                return rc;
        struct sr_blob wrapped = {0};
        rc = sr_store_key_get(v->st, r, account_id, subject_id, &wrapped);
        if (rc != SR_OK)
                return rc;
        struct sr_secret *key = NULL;
        rc = sr_keyring_unwrap(akey, subject_id, wrapped.p, wrapped.len, &key);
        sr_blob_fini(&wrapped);
        if (rc != SR_OK)
                return rc;
        cache_put(v, account_id, subject_id, key, SUBJECT_TTL_MS);
        *ret_key = key;
        return SR_OK;
}

static enum sr_rc
build_ad(const struct sr_field *f, char *out, size_t out_len, size_t *ret_len)
{
        /* NUL separators: no id, table or column name contains one, so the
         * encoding is unambiguous. */
        int n = snprintf(out, out_len, "%s%c%s%c%s%c%s%c%d", f->account_id, 0, f->table, 0,
                         f->column, 0, f->row_id, 0, KEY_VERSION);
        if (n < 0 || (size_t)n >= out_len)
                return SR_E_INTERNAL;
        *ret_len = (size_t)n;
        return SR_OK;
}

enum sr_rc
sr_vault_seal(const struct sr_secret *key, const struct sr_field *f, const char *pt, size_t len,
              struct sr_blob *ret)
{
        if (pt == NULL || len == 0) {
                ret->p = NULL;
                ret->len = 0;
                return SR_OK;
        }
        char ad[256];
        size_t ad_len = 0;
        enum sr_rc rc = build_ad(f, ad, sizeof(ad), &ad_len);
        if (rc != SR_OK)
                return rc;
        unsigned char *ct = NULL;
        size_t ct_len = 0;
        rc = sr_aead_seal(key->bytes, ad, ad_len, pt, len, &ct, &ct_len);
        if (rc != SR_OK)
                return rc;
        ret->p = ct;
        ret->len = ct_len;
        return SR_OK;
}

enum sr_rc
sr_vault_open(const struct sr_secret *key, const struct sr_field *f, const struct sr_blob *ct,
              char **ret)
{
        if (ct->p == NULL || ct->len == 0) {
                *ret = NULL;
                return SR_OK;
        }
        char ad[256];
        size_t ad_len = 0;
        enum sr_rc rc = build_ad(f, ad, sizeof(ad), &ad_len);
        if (rc != SR_OK)
                return rc;
        size_t pt_len = 0;
        return sr_aead_open(key->bytes, ad, ad_len, ct->p, ct->len, ret, &pt_len);
}

enum sr_rc
sr_vault_index(struct sr_vault *v, enum sr_region r, const char *account_id, const char *kind,
               const char *value, unsigned char ret[SR_BI_LEN])
{
        SR_CLEANUP(sr_secret_freep) struct sr_secret *akey = NULL;
        SR_CLEANUP(sr_secret_freep) struct sr_secret *ikey = NULL;
        enum sr_rc rc = account_key(v, r, account_id, &akey);
        if (rc == SR_OK)
                rc = sr_keyring_derive(akey, "blindidx", 1, &ikey);
        if (rc != SR_OK)
                return rc;
        sr_blindidx(ikey->bytes, kind, value, strlen(value), ret);
        return SR_OK;
}

enum sr_rc
sr_vault_purpose_key(struct sr_vault *v, const char context[8], struct sr_secret **ret)
{
        return sr_keyring_derive(v->master, context, 1, ret);
}
