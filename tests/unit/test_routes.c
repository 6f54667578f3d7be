/* The router and the OpenAPI document served at /openapi.json list the
 * same operations (same method, path and operationId), and every route
 * declares an action for the central check (ACC-4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "api/call.h"
#include "http/router.h"

extern const char sr_openapi_doc[];
extern const size_t sr_openapi_doc_len;

static json_t *
load_doc(void)
{
        json_error_t err;
        json_t *doc = json_loadb(sr_openapi_doc, sr_openapi_doc_len, 0, &err);
        assert_non_null(doc);
        return doc;
}

static void
every_route_is_documented(void **state)
{
        (void)state;
        json_t *doc = load_doc();
        json_t *paths = json_object_get(doc, "paths");
        for (const struct sr_route *r = sr_routes; r->method != NULL; r++) {
                char method[8];
                size_t n = strlen(r->method);
                for (size_t i = 0; i < n; i++)
                        method[i] = (char)(r->method[i] | 0x20);
                method[n] = '\0';
                json_t *op = json_object_get(json_object_get(paths, r->path), method);
                if (op == NULL)
                        fail_msg("route %s %s (%s) missing from openapi.json", r->method, r->path,
                                 r->operation_id);
                assert_string_equal(json_string_value(json_object_get(op, "operationId")),
                                    r->operation_id);
                assert_non_null(r->handler);
        }
        json_decref(doc);
}

static void
every_documented_operation_is_routed(void **state)
{
        (void)state;
        json_t *doc = load_doc();
        const char *path;
        json_t *item;
        json_object_foreach(json_object_get(doc, "paths"), path, item) {
                const char *method;
                json_t *op;
                json_object_foreach(item, method, op) {
                        bool found = false;
                        for (const struct sr_route *r = sr_routes; r->method != NULL; r++)
                                if (strcasecmp(r->method, method) == 0 &&
                                    strcmp(r->path, path) == 0)
                                        found = true;
                        if (!found)
                                fail_msg("openapi.json %s %s has no route", method, path);
                }
        }
        json_decref(doc);
}

/* ACC-4: only public routes and "self" routes skip a scoped action. */
static void
every_route_declares_an_action(void **state)
{
        (void)state;
        for (const struct sr_route *r = sr_routes; r->method != NULL; r++) {
                if (r->flags & SR_ROUTE_PUBLIC)
                        continue;
                assert_true(r->action != SR_ACT_NONE);
                if (r->flags & SR_ROUTE_ACCOUNT)
                        assert_true(r->action != SR_ACT_SELF);
        }
}

static void
router_matches_params_and_methods(void **state)
{
        (void)state;
        struct sr_match m;
        assert_int_equal(sr_router_match("GET", "/v1/accounts/acme/users/0123456789abcdef0123456789abcdef", &m),
                         SR_OK);
        assert_string_equal(m.route->operation_id, "getUser");
        assert_string_equal(m.params[0], "acme");
        assert_int_equal(sr_router_match("PUT", "/v1/accounts/acme/users", &m),
                         SR_E_METHOD_NOT_ALLOWED);
        assert_non_null(strstr(m.allow, "POST"));
        assert_int_equal(sr_router_match("GET", "/v1/accounts/a%2fb/users", &m), SR_E_NOT_FOUND);
        assert_int_equal(sr_router_match("GET", "/v1/accounts//users", &m), SR_E_NOT_FOUND);
        assert_int_equal(sr_router_match("GET", "/v1/me/", &m), SR_E_NOT_FOUND);
        assert_int_equal(sr_router_match("HEAD", "/v1/health", &m), SR_OK);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(every_route_is_documented),
                cmocka_unit_test(every_documented_operation_is_routed),
                cmocka_unit_test(every_route_declares_an_action),
                cmocka_unit_test(router_matches_params_and_methods),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
