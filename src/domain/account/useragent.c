/* User-Agent families by substring, most specific first. */
#include "domain/account/useragent.h"

#include <stddef.h>
#include <string.h>

struct family {
        const char *needle, *name;
};

static const char *
match(const char *ua, const struct family *f)
{
        if (ua == NULL)
                return "unknown";
        for (; f->needle != NULL; f++)
                if (strstr(ua, f->needle) != NULL)
                        return f->name;
        return "other";
}

const char *
sr_ua_browser(const char *ua)
{
        static const struct family f[] = {
                {"Edg/", "Edge"},       {"OPR/", "Opera"},     {"Firefox/", "Firefox"},
                {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
                {"curl/", "curl"},      {"node", "Node.js"},   {NULL, NULL},
        };
        return match(ua, f);
}

const char *
sr_ua_os(const char *ua)
{
        static const struct family f[] = {
                {"Android", "Android"}, {"iPhone", "iOS"},     {"iPad", "iOS"},
                {"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"},
                {"Linux", "Linux"},     {NULL, NULL},
        };
        return match(ua, f);
}
