#pragma once
/* Several serve nodes on one PostgreSQL store (DESIGN.md "Beyond one
 * machine"). Each node caches facts on its hot path: users' epochs, state
 * and roles, account settings and blocks, sessions, IP allowlists and
 * subject keys. A change drops this node's copy at once and tells every
 * other node through the store (LISTEN/NOTIFY), so a revocation holds on
 * each node's next request (ACC-3). On SQLite nothing is sent: one node. */
#include <stdbool.h>

#include "domain/app.h"

enum sr_cluster_fact {
        SR_FACT_USER = 'u',          /* user id: epoch, state, roles; subject key */
        SR_FACT_ACCOUNT = 'a',       /* account id: settings, block */
        SR_FACT_ACCOUNT_USERS = 'A', /* account id: every user and session of it */
        SR_FACT_SESSION = 's',       /* session id: ended */
        SR_FACT_ALLOWLIST = 'l',     /* account id: IP allowlist */
        SR_FACT_HEARTBEAT = 'h',     /* a node's own ping: the listener still hears */
};

/* After the change committed: drop the copy here, tell the others. A
 * message that cannot be sent or is lost is covered by the cache lifetime
 * below and by the listener's forget-all when its connection breaks. */
void sr_cluster_changed(struct sr_app *app, enum sr_cluster_fact fact, const char *id);
/* ---- the caches' side ----
 * A loader reads sr_cluster_gen() before it reads the store and stores with
 * sr_cluster_cache_put(): if a forget ran meanwhile, the value it read may
 * predate the change and is not kept. On a shared store an entry is used
 * for SR_CLUSTER_TTL_MS at most, so even a lost message heals. */
#define SR_CLUSTER_TTL_MS 30000
uint64_t sr_cluster_gen(struct sr_app *app);
/* May an entry loaded at loaded_ms (sr_clock_mono_ms) still be used? */
bool sr_cluster_fresh(const struct sr_app *app, uint64_t loaded_ms);
SR_NODISCARD enum sr_rc sr_cluster_cache_put(struct sr_app *app, struct sr_hmap *m,
                                             const void *key, const void *val, uint64_t gen);

/* One message of another node (or our own, which is harmless). */
void sr_cluster_apply(struct sr_app *app, const char *payload);
/* Every cached fact of this node, for when messages may have been lost. */
void sr_cluster_forget_all(struct sr_app *app);

/* The listener's state, owned by the thread that runs it. */
struct sr_cluster_listener {
        struct sr_store_listener *l;
        bool lost; /* messages may have been missed since the last connection */
        uint64_t heard_ms, pinged_ms;
};
/* One turn of the listener thread: connects when needed, waits up to
 * timeout_ms for messages and applies them. Never fails: a lost
 * connection is retried on the next turn and forgets every cached fact. */
void sr_cluster_listen(struct sr_app *app, struct sr_cluster_listener *cl, int timeout_ms);
void sr_cluster_listener_fini(struct sr_cluster_listener *cl);
