/* Cache invalidation across serve nodes: "<fact>:<id>" messages. */
#include "domain/cluster/cluster.h"

#include <stdio.h>
#include <string.h>

#include "crypto/token.h"
#include "domain/session/session.h"
#include "domain/vault/vault.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/hmap.h"
#include "util/log.h"

static void
forget(struct sr_app *app, enum sr_cluster_fact fact, const char *id)
{
        /* Before the delete: a loader that read the store earlier must not
         * put its (maybe older) value back afterwards. */
        __atomic_add_fetch(&app->cache_gen, 1, __ATOMIC_SEQ_CST);
        switch (fact) {
        case SR_FACT_USER:
                sr_session_forget(app, fact, id);
                sr_vault_forget_owner(app->vault, id); /* an erased person's key */
                break;
        case SR_FACT_ACCOUNT:
        case SR_FACT_ACCOUNT_USERS:
        case SR_FACT_SESSION:
                sr_session_forget(app, fact, id);
                break;
        case SR_FACT_ALLOWLIST:
                sr_hmap_del(app->allowlists, id);
                break;
        case SR_FACT_HEARTBEAT:
                break;
        }
}

uint64_t
sr_cluster_gen(struct sr_app *app)
{
        return __atomic_load_n(&app->cache_gen, __ATOMIC_SEQ_CST);
}

bool
sr_cluster_fresh(const struct sr_app *app, uint64_t loaded_ms)
{
        return !sr_store_shared(app->st) || sr_clock_mono_ms() - loaded_ms < SR_CLUSTER_TTL_MS;
}

enum sr_rc
sr_cluster_cache_put(struct sr_app *app, struct sr_hmap *m, const void *key, const void *val,
                     uint64_t gen)
{
        enum sr_rc rc = sr_hmap_put(m, key, val);
        if (rc == SR_OK && sr_cluster_gen(app) != gen)
                sr_hmap_del(m, key);
        return rc;
}

void
sr_cluster_changed(struct sr_app *app, enum sr_cluster_fact fact, const char *id)
{
        forget(app, fact, id);
        if (!sr_store_shared(app->st))
                return;
        char payload[2 + SR_ID_LEN + 1];
        snprintf(payload, sizeof(payload), "%c:%s", (char)fact, id);
        if (sr_store_notify(app->st, payload) != SR_OK)
                sr_log(SR_LOG_WARN, "cluster message not sent", "fact", payload, NULL);
}

static bool
fact_known(char c)
{
        return c == SR_FACT_USER || c == SR_FACT_ACCOUNT || c == SR_FACT_ACCOUNT_USERS ||
               c == SR_FACT_SESSION || c == SR_FACT_ALLOWLIST || c == SR_FACT_HEARTBEAT;
}

void
sr_cluster_apply(struct sr_app *app, const char *payload)
{
        /* Ids are SR_ID_LEN characters and the maps compare that many bytes:
         * anything else is not ours or garbled, and forgetting everything is
         * always safe. */
        char id[SR_ID_LEN + 1] = {0};
        if (strlen(payload) != 2 + SR_ID_LEN || payload[1] != ':' || !fact_known(payload[0])) {
                sr_cluster_forget_all(app);
                return;
        }
        memcpy(id, payload + 2, SR_ID_LEN);
        if (payload[0] != SR_FACT_HEARTBEAT)
                forget(app, (enum sr_cluster_fact)payload[0], id);
}

void
sr_cluster_forget_all(struct sr_app *app)
{
        __atomic_add_fetch(&app->cache_gen, 1, __ATOMIC_SEQ_CST);
        sr_session_forget_all(app);
        sr_hmap_clear(app->allowlists);
        sr_vault_forget_all(app->vault);
}

struct heard {
        struct sr_app *app;
        struct sr_cluster_listener *cl;
};

static void
on_message(const char *payload, void *arg)
{
        struct heard *h = arg;
        h->cl->heard_ms = sr_clock_mono_ms();
        sr_cluster_apply(h->app, payload);
}

/* A connection can die without a word (a NAT or firewall forgetting it):
 * every PING_MS the node sends itself a heartbeat, and a listener that has
 * heard nothing for DEAF_MS is taken for lost. */
#define PING_MS 10000
#define DEAF_MS 30000

static void
lose(struct sr_app *app, struct sr_cluster_listener *cl, const char *why)
{
        sr_log(SR_LOG_WARN, why, NULL);
        sr_store_listener_free(cl->l);
        cl->l = NULL;
        cl->lost = true;
        sr_cluster_forget_all(app);
}

static void
ping(struct sr_app *app, struct sr_cluster_listener *cl, uint64_t now)
{
        char payload[2 + SR_ID_LEN + 1] = {(char)SR_FACT_HEARTBEAT, ':'};
        sr_id_new(payload + 2);
        cl->pinged_ms = now;
        if (sr_store_notify(app->st, payload) != SR_OK)
                sr_log(SR_LOG_WARN, "cluster heartbeat not sent", NULL);
}

void
sr_cluster_listen(struct sr_app *app, struct sr_cluster_listener *cl, int timeout_ms)
{
        uint64_t now = sr_clock_mono_ms();
        if (cl->l == NULL) {
                if (sr_store_listen(app->st, &cl->l) != SR_OK) {
                        cl->lost = true;
                        return; /* the caller's next turn tries again */
                }
                if (cl->lost) {
                        sr_log(SR_LOG_WARN, "cluster listener reconnected; caches dropped", NULL);
                        sr_cluster_forget_all(app);
                        cl->lost = false;
                }
                cl->heard_ms = now;
                ping(app, cl, now);
        }
        if (now - cl->pinged_ms >= PING_MS)
                ping(app, cl, now);
        struct heard h = {app, cl};
        if (sr_store_listen_wait(cl->l, timeout_ms, on_message, &h) != SR_OK)
                lose(app, cl, "cluster listener lost its connection");
        else if (sr_clock_mono_ms() - cl->heard_ms >= DEAF_MS)
                lose(app, cl, "cluster listener heard nothing, not even itself");
}

void
sr_cluster_listener_fini(struct sr_cluster_listener *cl)
{
        sr_store_listener_free(cl->l);
        cl->l = NULL;
}
