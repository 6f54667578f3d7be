/* Messages between serve nodes sharing one store: what changed, so every
 * node drops the cached copy (ACC-3 revocation on every node). */
#include "store/db.h"
#include "store/driver.h"
#include "store/internal.h"
#include "util/alloc.h"

struct sr_store_listener {
        const struct db_driver *drv;
        void *h;
};

bool
sr_store_shared(const struct sr_store *st)
{
        return store_driver(st)->listen_open != NULL;
}

static enum sr_rc
notify_once(struct sr_store *st, const char *payload)
{
        struct db_stmt *s = NULL;
        enum sr_rc rc = db_prepare(st, DB_DIRECTORY, SR_REGION_US,
                                   "SELECT pg_notify('sr_cache', CAST(? AS TEXT))", &s);
        if (rc != SR_OK)
                return rc;
        db_bind_str(s, 1, payload);
        return db_exec(s);
}

/* Twice: a connection that broke since its last use fails the first try
 * and is replaced by the second (db_conn_get). */
enum sr_rc
sr_store_notify(struct sr_store *st, const char *payload)
{
        if (!sr_store_shared(st))
                return SR_OK;
        enum sr_rc rc = notify_once(st, payload);
        if (rc != SR_OK)
                rc = notify_once(st, payload);
        return rc;
}

enum sr_rc
sr_store_listen(struct sr_store *st, struct sr_store_listener **ret)
{
        const struct db_driver *drv = store_driver(st);
        if (drv->listen_open == NULL)
                return SR_E_INTERNAL;
        struct sr_store_listener *l = sr_calloc(1, sizeof(*l));
        if (l == NULL)
                return SR_E_NOMEM;
        l->drv = drv;
        enum sr_rc rc = drv->listen_open(st, &l->h);
        if (rc != SR_OK) {
                sr_free(l);
                return rc;
        }
        *ret = l;
        return SR_OK;
}

enum sr_rc
sr_store_listen_wait(struct sr_store_listener *l, int timeout_ms,
                     void (*fn)(const char *payload, void *arg), void *arg)
{
        return l->drv->listen_wait(l->h, timeout_ms, fn, arg);
}

void
sr_store_listener_free(struct sr_store_listener *l)
{
        if (l == NULL)
                return;
        l->drv->listen_close(l->h);
        sr_free(l);
}
