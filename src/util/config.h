#pragma once
/* Server settings from DIR/strongroom.conf (ini, parsed by inih). Every
 * setting has an embedded default so a fresh install needs no edits. Keys
 * never come from here or from the environment: only from key files. */
#include <stdbool.h>
#include <stddef.h>

#include "util/rc.h"
#include "util/region.h"

#define SR_CONFIG_MAX_PROXIES 16

struct sr_config {
        char *data_dir;
        char *master_key_file;  /* default DIR/keys/master.key */
        char *public_url;       /* links in mail; never from Host */
        char *plain_listen;     /* optional plain-HTTP port, NULL = off */
        char *trusted_proxies;  /* comma-separated addresses/CIDRs */
        char *outbound_addresses; /* what our outbound jobs connect from (ACC-8) */
        char *smtp_url;         /* NULL = Maildir DIR/mail */
        char *mail_from;        /* From header; NULL = "Strongroom <no-reply@localhost>" */
        char *platform_region;  /* where the platform account lives */
        unsigned worker_threads;
        unsigned worker_queue;
        unsigned http_threads;
        bool signup_open;
        unsigned signup_per_address_per_hour;
        unsigned signin_bucket_burst;
        unsigned signin_bucket_per_s;
        bool store_postgres;      /* [store] driver = postgres */
        char *pg_conninfo;        /* libpq conninfo; never logged */
        char *pg_region_conninfo[SR_REGION__COUNT]; /* per-region override */
};

/* Sets defaults, then reads DIR/strongroom.conf if it exists. Unknown keys
 * and bad values are errors (one line on stderr from the CLI). */
SR_NODISCARD enum sr_rc sr_config_load(const char *data_dir, struct sr_config *ret,
                                       char *err, size_t err_len);
void sr_config_fini(struct sr_config *c);
/* The default file written by `strongroom init`, documented inline. */
extern const char sr_config_default_text[];
