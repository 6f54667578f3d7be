#pragma once
/* The HTTPS front (DATA-1): libmicrohttpd with its internal epoll
 * threads, TLS 1.2/1.3 AEAD-only, the limits of DESIGN.md, the worker
 * pool for slow handlers and an optional plain port that never serves
 * data. */
#include "domain/app.h"

struct sr_server;

/* Starts listening on listen ("HOST:PORT"). */
SR_NODISCARD enum sr_rc sr_server_start(struct sr_app *app, const char *listen,
                                        struct sr_server **ret, char *err, size_t err_len);
/* Stops accepting, finishes running jobs, frees. Accepts NULL. */
void sr_server_stop(struct sr_server *srv);

/* DESIGN.md's TLS priority string. */
extern const char sr_tls_priorities[];
