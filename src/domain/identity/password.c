/* Password policy evaluation (AUTH-2): presets, range checks on a profile,
 * and the checks on a candidate password — length in code points,
 * character classes, the embedded blocklist and the zxcvbn estimate — and
 * on a stored one (expiry). Pure functions of their arguments (the clock
 * is passed in), so tests/unit/test_password.c drives them directly. The
 * history (no reuse of the last N) needs the store and argon2id and lives
 * in policy.c. Candidate passwords are copied only into stack buffers
 * that are wiped before return. */
#include "domain/identity/password.h"

#include <math.h>
#include <string.h>

#include <sodium.h>
#include <unictype.h>
#include <unistr.h>
#include <zxcvbn.h>

#include "domain/identity/normalize.h"

/* tools/embed.py output of src/domain/identity/blocklist.txt. */
extern const char sr_password_blocklist[];
extern const size_t sr_password_blocklist_len;

#define ZXCVBN_MAX_BYTES 100 /* zxcvbn's run time grows fast with length */
#define BLOCKLIST_MAX_BYTES 128

const struct sr_password_policy sr_password_policy_nist = {
        .preset = SR_PW_PRESET_NIST,
        .min_length = SR_PASSWORD_MIN_CHARS_NIST,
        .must_change_initial = true,
        .use_blocklist = true,
        .min_zxcvbn_score = 3};

static const char *const preset_names[SR_PW_PRESET__COUNT] = {"nist", "seed-000", "seed-002",
                                                              "custom"};

const char *
sr_password_preset_name(enum sr_password_preset p)
{
        return (unsigned)p < SR_PW_PRESET__COUNT ? preset_names[p] : "custom";
}

enum sr_rc
sr_password_preset_parse(const char *s, enum sr_password_preset *ret)
{
        for (unsigned i = 0; i < SR_PW_PRESET_CUSTOM; i++) {
                if (s != NULL && strcmp(s, preset_names[i]) == 0) {
                        *ret = (enum sr_password_preset)i;
                        return SR_OK;
                }
        }
        return SR_E_VALIDATION;
}

void
sr_password_policy_preset(enum sr_password_preset p, struct sr_password_policy *ret)
{
        struct sr_password_policy v = sr_password_policy_nist;
        if (p == SR_PW_PRESET_SEED_000) {
                v = (struct sr_password_policy){.preset = p,
                                                .min_length = 6,
                                                .must_change_initial = true};
        } else if (p == SR_PW_PRESET_SEED_002) {
                v = (struct sr_password_policy){.preset = p,
                                                .min_length = 8,
                                                .require_upper = true,
                                                .require_lower = true,
                                                .require_digit = true,
                                                .require_symbol = true,
                                                .history_count = 5,
                                                .max_age_days = 90,
                                                .must_change_initial = true};
        }
        *ret = v;
}

enum sr_rc
sr_password_policy_validate(const struct sr_password_policy *p, const char **ret_field)
{
        const char *bad = NULL;
        if (p->min_length < SR_PASSWORD_MIN_LENGTH_LO || p->min_length > SR_PASSWORD_MIN_LENGTH_HI)
                bad = "min_length";
        else if (p->history_count < 0 || p->history_count > SR_PASSWORD_HISTORY_MAX)
                bad = "history_count";
        else if (p->max_age_days < 0 || p->max_age_days > SR_PASSWORD_MAX_AGE_DAYS_MAX)
                bad = "max_age_days";
        else if (p->min_zxcvbn_score < 0 || p->min_zxcvbn_score > 4)
                bad = "min_zxcvbn_score";
        else if (!p->must_change_initial)
                bad = "must_change_initial"; /* AUTH-2: never optional */
        else if ((unsigned)p->preset >= SR_PW_PRESET__COUNT)
                bad = "preset";
        if (bad == NULL)
                return SR_OK;
        if (ret_field != NULL)
                *ret_field = bad;
        return SR_E_VALIDATION;
}

int
sr_password_min_length(const struct sr_password_policy *p, bool has_second_factor)
{
        /* 800-63B: 8 suffices when a second factor guards the account. */
        if (p->preset == SR_PW_PRESET_NIST && has_second_factor)
                return SR_PASSWORD_MIN_CHARS_NIST_MFA;
        return p->min_length;
}

bool
sr_password_expired(const struct sr_password_policy *p, int64_t pw_changed_at, int64_t now)
{
        if (p->max_age_days <= 0)
                return false;
        return now - pw_changed_at >= (int64_t)p->max_age_days * 86400;
}

int
sr_password_zxcvbn_score(double bits)
{
        if (!(bits > 0))
                return 0;
        double log10_guesses = bits * log10(2.0);
        if (log10_guesses < 3)
                return 0;
        if (log10_guesses < 6)
                return 1;
        if (log10_guesses < 8)
                return 2;
        if (log10_guesses < 10)
                return 3;
        return 4;
}

int
sr_password_strength(const struct sr_secret *pw)
{
        char buf[ZXCVBN_MAX_BYTES + 1];
        size_t n = pw->len < ZXCVBN_MAX_BYTES ? pw->len : ZXCVBN_MAX_BYTES;
        /* Cut on a UTF-8 boundary. */
        while (n > 0 && n < pw->len && (pw->bytes[n] & 0xc0) == 0x80)
                n--;
        memcpy(buf, pw->bytes, n);
        buf[n] = '\0';
        double bits = ZxcvbnMatch(buf, NULL, NULL);
        sodium_memzero(buf, sizeof(buf));
        return sr_password_zxcvbn_score(bits);
}

/* Does the listed word w (length wn) equal one of the candidates? */
static bool
matches_any(const char *w, size_t wn, const char *const cand[], const size_t cand_len[], size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (cand_len[i] == wn && memcmp(cand[i], w, wn) == 0)
                        return true;
        return false;
}

/* Walks the embedded list (one lower-case entry per line, '#' comments). */
static bool
list_contains_any(const char *const cand[], const size_t cand_len[], size_t n)
{
        const char *p = sr_password_blocklist, *end = p + sr_password_blocklist_len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *eol = nl ? nl : end;
                size_t wn = (size_t)(eol - p);
                if (wn > 0 && p[wn - 1] == '\r')
                        wn--;
                if (wn > 0 && p[0] != '#' && matches_any(p, wn, cand, cand_len, n))
                        return true;
                p = eol + 1;
        }
        return false;
}

static bool
is_letter_byte(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || c >= 0x80;
}

/* Length of the shortest unit that s is a repetition of (n when none). */
static size_t
period(const char *s, size_t n)
{
        for (size_t d = 1; d <= n / 2; d++) {
                if (n % d != 0)
                        continue;
                size_t i = d;
                while (i < n && s[i] == s[i - d])
                        i++;
                if (i == n)
                        return d;
        }
        return n;
}

bool
sr_password_blocklisted(const struct sr_secret *pw)
{
        if (pw->len == 0 || pw->len > BLOCKLIST_MAX_BYTES)
                return false;
        char low[BLOCKLIST_MAX_BYTES];
        size_t n = pw->len;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = pw->bytes[i];
                low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        /* The word inside padding of digits and symbols. */
        size_t b = 0, e = n;
        while (b < e && !is_letter_byte((unsigned char)low[b]))
                b++;
        while (e > b && !is_letter_byte((unsigned char)low[e - 1]))
                e--;
        const char *cand[3] = {low, low + b, low + b};
        size_t cand_len[3] = {n, e - b, period(low + b, e - b)};
        size_t nc = e > b ? 3 : 1;
        /* A whole password made of one repeated listed entry ("123123"). */
        if (nc == 1) {
                cand_len[1] = period(low, n);
                cand[1] = low;
                nc = 2;
        }
        bool hit = list_contains_any(cand, cand_len, nc);
        sodium_memzero(low, sizeof(low));
        return hit;
}

/* Which classes the password has. */
static void
classes_of(const struct sr_secret *pw, bool *up, bool *lo, bool *dig, bool *sym)
{
        const uint8_t *s = pw->bytes, *end = pw->bytes + pw->len;
        *up = *lo = *dig = *sym = false;
        while (s < end) {
                ucs4_t uc = 0;
                int k = u8_mbtouc(&uc, s, (size_t)(end - s));
                if (k <= 0)
                        break;
                s += k;
                if (uc < 0x80 && strchr(SR_PASSWORD_SYMBOLS, (int)uc) != NULL && uc != 0)
                        *sym = true;
                else if (uc_is_upper(uc))
                        *up = true;
                else if (uc_is_lower(uc))
                        *lo = true;
                else if (uc_is_digit(uc))
                        *dig = true;
        }
}

static enum sr_rc
refuse(const char **ret_reason, const char *why)
{
        if (ret_reason != NULL)
                *ret_reason = why;
        return SR_E_PASSWORD_POLICY;
}

enum sr_rc
sr_password_check(const struct sr_password_policy *policy, bool has_second_factor,
                  const struct sr_secret *pw, const char **ret_reason)
{
        if (pw == NULL || pw->bytes == NULL)
                return SR_E_INTERNAL;
        if (pw->len > SR_PASSWORD_MAX_BYTES)
                return refuse(ret_reason, "too_long");
        size_t cps = sr_norm_codepoints(pw->bytes, pw->len);
        if (cps < (size_t)sr_password_min_length(policy, has_second_factor))
                return refuse(ret_reason, "too_short");
        bool up, lo, dig, sym;
        classes_of(pw, &up, &lo, &dig, &sym);
        if (policy->require_upper && !up)
                return refuse(ret_reason, "needs_upper");
        if (policy->require_lower && !lo)
                return refuse(ret_reason, "needs_lower");
        if (policy->require_digit && !dig)
                return refuse(ret_reason, "needs_digit");
        if (policy->require_symbol && !sym)
                return refuse(ret_reason, "needs_symbol");
        if (policy->use_blocklist && sr_password_blocklisted(pw))
                return refuse(ret_reason, "blocklisted");
        if (policy->min_zxcvbn_score > 0 && sr_password_strength(pw) < policy->min_zxcvbn_score)
                return refuse(ret_reason, "too_weak");
        return SR_OK;
}
