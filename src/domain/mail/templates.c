/* Plain-text mail: one subject and body per kind, and the RFC 5322
 * message around them (AUTH-6 reset link, AUTH-9 notices, AUTH-3 lockout
 * notice). The parameter is inserted where the body says "@@"; control
 * characters in it become '?', so nothing a caller passes can add header
 * lines or break the layout. Subjects are ASCII, so no encoded words. This
 * file does no I/O; delivery is mail.c's job. */
#include "domain/mail/templates.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/token.h"

struct template {
        const char *name;
        const char *subject;
        const char *body; /* "@@" marks the parameter */
        bool needs_param;
};

static const struct template templates[SR_MAIL__COUNT] = {
        [SR_MAIL_PASSWORD_RESET] =
                {"password_reset", "Reset your Strongroom password",
                 "Someone (hopefully you) asked to reset the password of your\n"
                 "Strongroom account. To choose a new password, open this link\n"
                 "within 30 minutes:\n"
                 "\n"
                 "@@\n"
                 "\n"
                 "The link works once. If you did not ask for this, ignore this\n"
                 "message: your password stays as it is.\n",
                 true},
        [SR_MAIL_PASSWORD_CHANGED] =
                {"password_changed", "Your Strongroom password was changed",
                 "The password of your Strongroom account was just changed, and\n"
                 "every session that was signed in has been signed out.\n"
                 "\n"
                 "If you did not do this, reset your password at once and tell\n"
                 "your account manager.\n",
                 false},
        [SR_MAIL_LOCKED_OUT] =
                {"locked_out", "Your Strongroom account is locked",
                 "There were too many failed sign-in attempts on your Strongroom\n"
                 "account, so it is locked until @@.\n"
                 "\n"
                 "If this was not you, someone may be guessing your password.\n"
                 "Your account manager can unlock it earlier.\n",
                 true},
        [SR_MAIL_EMAIL_CHANGED_OLD] =
                {"email_changed_old", "Your Strongroom e-mail address was changed",
                 "The e-mail address of your Strongroom account was changed;\n"
                 "messages now go to the new address.\n"
                 "\n"
                 "If you did not do this, tell your account manager at once.\n",
                 false},
        [SR_MAIL_EMAIL_VERIFY] =
                {"email_verify", "Confirm your new Strongroom e-mail address",
                 "Confirm that this address belongs to your Strongroom account\n"
                 "by opening this link:\n"
                 "\n"
                 "@@\n"
                 "\n"
                 "Until you do, the address is not used for sign-in or password\n"
                 "reset. If you did not ask for this, ignore this message.\n",
                 true},
        [SR_MAIL_PHONE_CHANGED] =
                {"phone_changed", "Your Strongroom phone number was changed",
                 "The phone number of your Strongroom account was changed.\n"
                 "\n"
                 "If you did not do this, tell your account manager at once.\n",
                 false},
        [SR_MAIL_NEW_SIGNIN] =
                {"new_signin", "New sign-in to your Strongroom account",
                 "Your Strongroom account was signed in from a browser that had\n"
                 "not been used before:\n"
                 "\n"
                 "  @@\n"
                 "\n"
                 "If this was you, there is nothing to do. If not, change your\n"
                 "password and sign out everywhere.\n",
                 true},
        [SR_MAIL_SECOND_FACTOR_CHANGED] =
                {"second_factor_changed", "Your Strongroom two-factor settings changed",
                 "The two-factor authentication of your Strongroom account was\n"
                 "changed.\n"
                 "\n"
                 "If you did not do this, tell your account manager at once.\n",
                 false},
};

static const char footer[] = "\n-- \nSent automatically by Strongroom; replies are not read.\n";

const char *
sr_mail_kind_name(enum sr_mail_kind kind)
{
        return (unsigned)kind < SR_MAIL__COUNT ? templates[kind].name : NULL;
}

enum sr_rc
sr_mail_kind_parse(const char *name, enum sr_mail_kind *ret)
{
        for (unsigned k = 0; name != NULL && k < SR_MAIL__COUNT; k++) {
                if (strcmp(templates[k].name, name) == 0) {
                        *ret = (enum sr_mail_kind)k;
                        return SR_OK;
                }
        }
        return SR_E_VALIDATION;
}

bool
sr_mail_kind_needs_param(enum sr_mail_kind kind)
{
        return (unsigned)kind < SR_MAIL__COUNT && templates[kind].needs_param;
}

const char *
sr_mail_subject(enum sr_mail_kind kind)
{
        return (unsigned)kind < SR_MAIL__COUNT ? templates[kind].subject : NULL;
}

int64_t
sr_mail_backoff_s(int64_t n)
{
        if (n < 0)
                n = 0;
        int64_t s = SR_MAIL_BACKOFF_BASE_S;
        for (int64_t i = 0; i < n && s < SR_MAIL_BACKOFF_MAX_S; i++)
                s *= 2;
        return s < SR_MAIL_BACKOFF_MAX_S ? s : SR_MAIL_BACKOFF_MAX_S;
}

bool
sr_mail_address_ok(const char *s)
{
        if (s == NULL)
                return false;
        size_t n = strlen(s);
        if (n < 3 || n > SR_MAIL_ADDRESS_MAX)
                return false;
        const char *at = strchr(s, '@');
        if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
                return false;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' ||
                    *p == '(' || *p == ')' || *p == ',' || *p == ';' || *p == '\\')
                        return false;
        return true;
}

enum sr_rc
sr_mail_address_of(const char *from, char *out, size_t out_len)
{
        if (from == NULL)
                return SR_E_VALIDATION;
        const char *lt = strrchr(from, '<');
        const char *start = from, *end = from + strlen(from);
        if (lt != NULL) {
                const char *gt = strchr(lt, '>');
                if (gt == NULL || gt[1] != '\0')
                        return SR_E_VALIDATION;
                start = lt + 1;
                end = gt;
        }
        while (start < end && *start == ' ')
                start++;
        while (end > start && end[-1] == ' ')
                end--;
        size_t n = (size_t)(end - start);
        if (n + 1 > out_len)
                return SR_E_VALIDATION;
        char addr[SR_MAIL_ADDRESS_MAX + 1];
        if (n > SR_MAIL_ADDRESS_MAX)
                return SR_E_VALIDATION;
        memcpy(addr, start, n);
        addr[n] = '\0';
        if (!sr_mail_address_ok(addr))
                return SR_E_VALIDATION;
        memcpy(out, addr, n + 1);
        return SR_OK;
}

void
sr_mail_date(int64_t t, char *out, size_t out_len)
{
        /* Fixed English names: strftime's %a/%b follow the locale. */
        static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        snprintf(out, out_len, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
                 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                 tm.tm_sec);
}

/* Appends text, turning "\n" into CRLF. */
static enum sr_rc
put_lines(struct sr_buf *out, const char *s, size_t n)
{
        enum sr_rc rc = SR_OK;
        for (size_t i = 0; rc == SR_OK && i < n; i++)
                rc = s[i] == '\n' ? sr_buf_append(out, "\r\n", 2) : sr_buf_append(out, &s[i], 1);
        return rc;
}

/* Appends the parameter with control characters replaced. */
static enum sr_rc
put_param(struct sr_buf *out, const char *param)
{
        enum sr_rc rc = SR_OK;
        for (const unsigned char *p = (const unsigned char *)param; rc == SR_OK && *p; p++) {
                char c = (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p;
                rc = sr_buf_append(out, &c, 1);
        }
        return rc;
}

static enum sr_rc
put_headers(struct sr_buf *out, const char *from, const char *from_addr, const char *to,
            enum sr_mail_kind kind, int64_t now)
{
        char date[40], id[SR_ID_CHARS + 1];
        sr_mail_date(now, date, sizeof(date));
        sr_id_new(id);
        const char *domain = strchr(from_addr, '@') + 1; /* checked by sr_mail_address_of */
        return sr_buf_printf(out,
                             "From: %s\r\n"
                             "To: <%s>\r\n"
                             "Subject: %s\r\n"
                             "Date: %s\r\n"
                             "Message-ID: <%s@%s>\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: 8bit\r\n"
                             "Auto-Submitted: auto-generated\r\n"
                             "\r\n",
                             from, to, templates[kind].subject, date, id, domain);
}

enum sr_rc
sr_mail_render(const char *from, const char *to, enum sr_mail_kind kind, const char *param,
               int64_t now, struct sr_buf *out)
{
        if ((unsigned)kind >= SR_MAIL__COUNT)
                return SR_E_INTERNAL;
        if (templates[kind].needs_param && param == NULL)
                return SR_E_INTERNAL;
        char from_addr[SR_MAIL_ADDRESS_MAX + 1];
        if (!sr_mail_address_ok(to) || strpbrk(from, "\r\n") != NULL ||
            sr_mail_address_of(from, from_addr, sizeof(from_addr)) != SR_OK)
                return SR_E_VALIDATION;
        enum sr_rc rc = put_headers(out, from, from_addr, to, kind, now);
        const char *body = templates[kind].body;
        const char *mark = templates[kind].needs_param ? strstr(body, "@@") : NULL;
        if (rc == SR_OK)
                rc = put_lines(out, body, mark ? (size_t)(mark - body) : strlen(body));
        if (rc == SR_OK && mark != NULL)
                rc = put_param(out, param);
        if (rc == SR_OK && mark != NULL)
                rc = put_lines(out, mark + 2, strlen(mark + 2));
        if (rc == SR_OK)
                rc = put_lines(out, footer, strlen(footer));
        return rc;
}
