#pragma once
/* Matches a method and path against the route table. */
#include <stddef.h>

#include "api/call.h"

#define SR_ROUTER_PARAM_MAX 64

struct sr_match {
        const struct sr_route *route;
        size_t n_params;
        char params[SR_CALL_MAX_PARAMS][SR_ROUTER_PARAM_MAX + 1];
        char allow[64]; /* methods of the path when the method is wrong */
};

/* SR_OK with ret->route set; SR_E_NOT_FOUND when no path matches;
 * SR_E_METHOD_NOT_ALLOWED with ret->allow filled. HEAD matches GET. */
SR_NODISCARD enum sr_rc sr_router_match(const char *method, const char *path,
                                        struct sr_match *ret);
