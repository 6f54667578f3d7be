#pragma once
/* Data regions (DATA-7). Each region is its own store. */
#include "util/rc.h"

enum sr_region { SR_REGION_US, SR_REGION_EU, SR_REGION_AU, SR_REGION_SG, SR_REGION_JP,
                 SR_REGION_IN, SR_REGION__COUNT };

/* "US", "EU", …; never NULL for a valid region. */
const char *sr_region_name(enum sr_region r);
SR_NODISCARD enum sr_rc sr_region_parse(const char *s, enum sr_region *ret);
