/* Region names. */
#include "util/region.h"

#include <string.h>

static const char *const names[SR_REGION__COUNT] = {"US", "EU", "AU", "SG", "JP", "IN"};

const char *
sr_region_name(enum sr_region r)
{
        return (unsigned)r < SR_REGION__COUNT ? names[r] : "??";
}

enum sr_rc
sr_region_parse(const char *s, enum sr_region *ret)
{
        for (unsigned i = 0; i < SR_REGION__COUNT; i++) {
                if (strcmp(s, names[i]) == 0) {
                        *ret = (enum sr_region)i;
                        return SR_OK;
                }
        }
        return SR_E_VALIDATION;
}
