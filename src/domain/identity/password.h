#pragma once
/* Password policy evaluation (AUTH-2): the per-account profile, its
 * presets, and the pure checks on a candidate password (length in code
 * points, character classes, blocklist, zxcvbn strength) and on a stored
 * one (expiry). Nothing here touches the store; domain/identity/policy.h
 * loads and saves profiles and checks the history.
 *
 * Presets (docs/passwords.md):
 *   nist      the default: NIST SP 800-63B — at least 15 code points, or 8
 *             with a second factor; blocklist; zxcvbn score >= 3; no
 *             composition rules; no expiry.
 *   seed-000  at least 6 code points; nothing else.
 *   seed-002  at least 8, upper + lower + digit + a symbol from #?@$%^&*-_,
 *             no reuse of the last 5, expiry after 90 days.
 * In every preset a password someone else set must be changed at first
 * sign-in (must_change_initial). Passwords are at most 1024 bytes. */
#include <stdbool.h>
#include <stdint.h>

#include "crypto/secret.h"

#define SR_PASSWORD_MIN_CHARS_NIST 15
#define SR_PASSWORD_MIN_CHARS_NIST_MFA 8
#define SR_PASSWORD_SYMBOLS "#?@$%^&*-_"
#define SR_PASSWORD_HISTORY_MAX 24
#define SR_PASSWORD_MAX_AGE_DAYS_MAX 365
#define SR_PASSWORD_MIN_LENGTH_LO 6
#define SR_PASSWORD_MIN_LENGTH_HI 128

enum sr_password_preset {
        SR_PW_PRESET_NIST,
        SR_PW_PRESET_SEED_000,
        SR_PW_PRESET_SEED_002,
        SR_PW_PRESET_CUSTOM, /* individual fields were changed */
        SR_PW_PRESET__COUNT
};

struct sr_password_policy {
        enum sr_password_preset preset;
        int min_length; /* code points; for nist, without a second factor */
        bool require_upper, require_lower, require_digit, require_symbol;
        int history_count; /* differs from the last N passwords, current included */
        int max_age_days;  /* 0 = never expires */
        bool must_change_initial;
        bool use_blocklist;
        int min_zxcvbn_score; /* 0..4; 0 = no strength estimate */
};

/* The default profile (what sign-up and an account without a stored
 * profile get). */
extern const struct sr_password_policy sr_password_policy_nist;

/* "nist", "seed-000", "seed-002", "custom". */
const char *sr_password_preset_name(enum sr_password_preset p);
/* SR_E_VALIDATION for anything but the three presets ("custom" is not
 * something one can choose: it is what changing a field gives). */
SR_NODISCARD enum sr_rc sr_password_preset_parse(const char *s, enum sr_password_preset *ret);
/* Fills *ret with the preset's rules (CUSTOM gives nist's). */
void sr_password_policy_preset(enum sr_password_preset p, struct sr_password_policy *ret);
/* SR_E_VALIDATION with the offending field's name when a value is out of
 * range: min_length 6..128, history_count 0..24, max_age_days 0 or
 * 1..365, min_zxcvbn_score 0..4, must_change_initial true. */
SR_NODISCARD enum sr_rc sr_password_policy_validate(const struct sr_password_policy *p,
                                                    const char **ret_field);

/* The minimum length that applies (nist: 8 with a second factor). */
int sr_password_min_length(const struct sr_password_policy *p, bool has_second_factor);
/* Checks an NFC-normalised password against the profile. SR_OK, or
 * SR_E_PASSWORD_POLICY with a short reason in *ret_reason (may be NULL):
 * "too_long", "too_short", "needs_upper", "needs_lower", "needs_digit",
 * "needs_symbol", "blocklisted", "too_weak". has_second_factor: the user
 * has confirmed TOTP. The history is checked by sr_password_prepare. */
SR_NODISCARD enum sr_rc sr_password_check(const struct sr_password_policy *policy,
                                          bool has_second_factor, const struct sr_secret *pw,
                                          const char **ret_reason);
/* True when max_age_days is set and pw_changed_at is at least that many
 * days before now. */
bool sr_password_expired(const struct sr_password_policy *p, int64_t pw_changed_at, int64_t now);
/* zxcvbn's 0..4 score for an estimate of entropy_bits (guesses = 2^bits):
 * 1 from 10^3 guesses, 2 from 10^6, 3 from 10^8, 4 from 10^10. */
int sr_password_zxcvbn_score(double entropy_bits);
/* The zxcvbn score of a password (its first 100 bytes). */
int sr_password_strength(const struct sr_secret *pw);
/* True when the password, lower-cased, is on the embedded blocklist
 * (src/domain/identity/blocklist.txt), or is a listed word padded with
 * digits and symbols ("password1234567") or repeated ("qwertyqwerty"). */
bool sr_password_blocklisted(const struct sr_secret *pw);
