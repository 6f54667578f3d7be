#pragma once
/* Browser and operating-system families from a User-Agent header, for the
 * sign-up record (AUTH-10). Coarse on purpose: families, not versions. */

const char *sr_ua_browser(const char *ua);
const char *sr_ua_os(const char *ua);
