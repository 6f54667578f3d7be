/* The claim list that `strongroom attest` reports on: IDs and titles copied
 * by hand from docs/claims.md, in the same order. It holds no status; the
 * status and settings of each claim live in attest.c. When docs/claims.md
 * changes, change this table too: `tools/claims_coverage.py --check` fails
 * while an ID or a title differs. */
#include "cli/attest.h"

static const struct {
        const char *id, *title;
} claims[] = {
        {"ACC-1", "Scope tree"},
        {"ACC-2", "Delegated role management"},
        {"ACC-3", "Role removal ends sessions"},
        {"ACC-4", "One central access check"},
        {"ACC-5", "Manager signs a user out everywhere"},
        {"ACC-6", "Blocking users and accounts"},
        {"ACC-7", "Least privilege for staff"},
        {"ACC-8", "IP allowlists and documented egress"},
        {"ACC-9", "Revocable third-party credentials"},
        {"AUTH-1", "Unique sign-in names"},
        {"AUTH-2", "Per-account password policy"},
        {"AUTH-3", "Lockout and throttling"},
        {"AUTH-4", "Slow password hashes only"},
        {"AUTH-5", "Self-service password change"},
        {"AUTH-6", "Safe password reset"},
        {"AUTH-7", "Idle and absolute session limits"},
        {"AUTH-8", "Two-factor authentication"},
        {"AUTH-9", "Notices for identity changes"},
        {"AUTH-10", "Recorded sign-up"},
        {"DATA-1", "Encrypted transport only"},
        {"DATA-2", "Personal data encrypted at rest"},
        {"DATA-3", "Encrypted documents behind the access check"},
        {"DATA-4", "Customer credentials in a vault"},
        {"DATA-5", "No secrets in logs or errors"},
        {"DATA-6", "Optional, documented analytics"},
        {"DATA-7", "Data residency"},
        {"DATA-8", "No payment-card data"},
        {"PRIV-1", "Right of access"},
        {"PRIV-2", "Right to rectification"},
        {"PRIV-3", "Right to erasure"},
        {"PRIV-4", "Right to restriction"},
        {"PRIV-5", "Right to object"},
        {"PRIV-6", "Recorded, revocable consent"},
        {"PRIV-7", "Verified requesters"},
        {"PRIV-8", "Right to be informed"},
        {"PRIV-9", "Tracked deadlines"},
        {"PRIV-10", "No selling or sharing"},
        {"LIFE-1", "Daily encrypted backups"},
        {"LIFE-2", "Proven restores"},
        {"LIFE-3", "Retention by account state"},
        {"LIFE-4", "Exports"},
        {"LIFE-5", "Customer-owned data"},
        {"LIFE-6", "Legal retention classes"},
        {"OPS-1", "Tamper-evident audit trail"},
        {"OPS-2", "Monitoring"},
        {"OPS-3", "Status page"},
        {"OPS-4", "Breach handling"},
        {"OPS-5", "Release channels"},
        {"OPS-6", "Availability target"},
};

size_t
sr_attest_claim_count(void)
{
        return sizeof(claims) / sizeof(claims[0]);
}

bool
sr_attest_claim_at(size_t i, const char **ret_id, const char **ret_title)
{
        if (i >= sr_attest_claim_count())
                return false;
        *ret_id = claims[i].id;
        *ret_title = claims[i].title;
        return true;
}
