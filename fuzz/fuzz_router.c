/* libFuzzer target: the route matcher (http/router.c) over the real route
 * table (api/routes.c). Input: "METHOD PATH"; without a space the method
 * is GET and the whole input is the path. Handlers are never called; the
 * rest of the library is linked only because the table names them. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

#include "check.h"

static bool
param_ok(const char *p)
{
        size_t n = strlen(p);
        if (n == 0 || n > SR_ROUTER_PARAM_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
                      (p[i] >= '0' && p[i] <= '9') || p[i] == '.' || p[i] == '_' || p[i] == '-'))
                        return false;
        return true;
}

static size_t
count_params(const char *pattern)
{
        size_t n = 0;
        for (; *pattern; pattern++)
                if (*pattern == '{')
                        n++;
        return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (s == NULL)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        const char *method = "GET", *path = s;
        char *sp = strchr(s, ' ');
        if (sp != NULL) {
                *sp = '\0';
                method = s;
                path = sp + 1;
        }

        struct sr_match m;
        memset(&m, 0x5a, sizeof(m));
        enum sr_rc rc = sr_router_match(method, path, &m);
        const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
        switch (rc) {
        case SR_OK:
                FUZZ_CHECK(m.route != NULL && m.route->handler != NULL, "a match has a handler");
                FUZZ_CHECK(strcmp(m.route->method, want) == 0, "matched the asked method");
                FUZZ_CHECK(m.n_params == count_params(m.route->path) &&
                                   m.n_params <= SR_CALL_MAX_PARAMS,
                           "one parameter per {placeholder}");
                for (size_t i = 0; i < m.n_params; i++)
                        FUZZ_CHECK(param_ok(m.params[i]), "parameter is [A-Za-z0-9._-]{1,64}");
                break;
        case SR_E_METHOD_NOT_ALLOWED:
                FUZZ_CHECK(memchr(m.allow, 0, sizeof(m.allow)) != NULL && m.allow[0] != '\0',
                           "405 comes with a non-empty Allow");
                break;
        case SR_E_NOT_FOUND:
                break;
        default:
                FUZZ_CHECK(0, "router answers OK, 404 or 405 only");
        }
        free(s);
        return 0;
}
