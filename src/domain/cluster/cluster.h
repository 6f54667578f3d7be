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
};

/* After the change committed: drop the copy here, tell the others (best
 * effort: a lost message is covered by the listener's forget-all on
 * reconnect, and by the caches' own lifetimes). */
void sr_cluster_changed(struct sr_app *app, enum sr_cluster_fact fact, const char *id);
/* One message of another node (or our own, which is harmless). */
void sr_cluster_apply(struct sr_app *app, const char *payload);
/* Every cached fact of this node, for when messages may have been lost. */
void sr_cluster_forget_all(struct sr_app *app);

/* The listener's state, owned by the thread that runs it. */
struct sr_cluster_listener {
        struct sr_store_listener *l;
        bool lost; /* messages may have been missed since the last connection */
};
/* One turn of the listener thread: connects when needed, waits up to
 * timeout_ms for messages and applies them. Never fails: a lost
 * connection is retried on the next turn and forgets every cached fact. */
void sr_cluster_listen(struct sr_app *app, struct sr_cluster_listener *cl, int timeout_ms);
void sr_cluster_listener_fini(struct sr_cluster_listener *cl);
