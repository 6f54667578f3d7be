/* Segment-by-segment path matching. Parameters match one segment of
 * [A-Za-z0-9._-]{1,64}; anything else is simply not a route. */
#include "http/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool
param_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
}

/* True when path matches pattern; params copied into m. */
static bool
path_matches(const char *pattern, const char *path, struct sr_match *m)
{
        m->n_params = 0;
        const char *p = pattern, *s = path;
        while (*p != '\0') {
                if (*p == '{') {
                        const char *close = strchr(p, '}');
                        size_t n = 0;
                        while (s[n] != '\0' && s[n] != '/')
                                n++;
                        if (close == NULL || n == 0 || n > SR_ROUTER_PARAM_MAX ||
                            m->n_params >= SR_CALL_MAX_PARAMS)
                                return false;
                        for (size_t i = 0; i < n; i++)
                                if (!param_char(s[i]))
                                        return false;
                        memcpy(m->params[m->n_params], s, n);
                        m->params[m->n_params][n] = '\0';
                        m->n_params++;
                        p = close + 1;
                        s += n;
                } else {
                        if (*p != *s)
                                return false;
                        p++;
                        s++;
                }
        }
        return *s == '\0';
}

enum sr_rc
sr_router_match(const char *method, const char *path, struct sr_match *ret)
{
        bool path_found = false;
        const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
        ret->allow[0] = '\0';
        for (const struct sr_route *r = sr_routes; r->method != NULL; r++) {
                if (!path_matches(r->path, path, ret))
                        continue;
                if (strcmp(r->method, want) == 0) {
                        ret->route = r;
                        return SR_OK;
                }
                path_found = true;
                size_t used = strlen(ret->allow);
                snprintf(ret->allow + used, sizeof(ret->allow) - used, "%s%s",
                         used ? ", " : "", r->method);
        }
        return path_found ? SR_E_METHOD_NOT_ALLOWED : SR_E_NOT_FOUND;
}
