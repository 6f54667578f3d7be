#pragma once
/* JSON renderings of domain objects shared by several handlers. */
#include <jansson.h>

#include "domain/identity/users.h"
#include "domain/session/session.h"

/* A new JSON object for the user; NULL on allocation failure. */
json_t *sr_render_user(const struct sr_user_view *v);
/* createSession / changePassword answer from an issued session. */
json_t *sr_render_issued(const struct sr_session_issued *s);
