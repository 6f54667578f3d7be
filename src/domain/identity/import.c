/* importUsers (AUTH-4). Every entry is checked before anything is
 * written; then one transaction creates the users (personal data sealed
 * under new subject keys, blind indexes, the imported hash stored as it
 * is: it is already a salted slow hash) with one audit event each. A
 * username, e-mail or phone that is already taken skips that entry only.
 * The hashes are verified later, at sign-in, by crypto/legacy.c; nothing
 * here runs a password hash. Imported users chose their own passwords, so
 * they are not forced to change them (expiry and the policy still apply
 * at sign-in). */
#include "domain/identity/import.h"

#include <string.h>

#include "crypto/legacy.h"
#include "crypto/token.h"
#include "domain/identity/normalize.h"
#include "util/alloc.h"

enum sr_rc
sr_user_import_check(const struct sr_import_user *u, const char **ret_field,
                     const char **ret_reason)
{
        char *tmp = NULL;
        const char *field = NULL, *reason = NULL;
        enum sr_rc rc = sr_norm_username(u->username, &tmp);
        if (rc != SR_OK) {
                field = "username";
                reason = "must match ^[a-z0-9._-]{1,64}$";
        }
        sr_free(tmp);
        tmp = NULL;
        if (rc == SR_OK && u->email != NULL) {
                rc = sr_norm_email(u->email, &tmp);
                field = "email";
                reason = "must be an e-mail address";
                sr_free(tmp);
                tmp = NULL;
        }
        if (rc == SR_OK && u->phone != NULL) {
                rc = sr_norm_phone(u->phone, &tmp);
                field = "phone";
                reason = "must be an E.164 phone number";
                sr_free(tmp);
        }
        if (rc == SR_OK) {
                field = "password_hash";
                rc = sr_pwhash_legacy_check(u->password_hash, &reason);
        }
        if (rc == SR_E_NOMEM || rc == SR_OK)
                return rc;
        *ret_field = field;
        *ret_reason = reason;
        return rc;
}

/* One user inside tx; SR_E_CONFLICT leaves tx usable (statement-level). */
static enum sr_rc
import_one(struct sr_app *app, struct sr_tx *tx, const struct sr_client *client,
           const struct sr_actor *actor, const struct sr_account_ref *acct,
           const struct sr_import_user *u, char user_id[SR_ID_LEN + 1])
{
        struct sr_user_input in = {.username = u->username,
                                   .email = u->email,
                                   .phone = u->phone,
                                   .name = u->name};
        sr_id_new(user_id);
        enum sr_rc rc = sr_user_insert_tx(app, tx, acct, user_id, &in, u->password_hash, false);
        if (rc != SR_OK) {
                /* The subject key was made before the insert failed. */
                sr_rc_ignore(sr_vault_subject_shred(app->vault, acct->region, acct->id, user_id));
                return rc;
        }
        struct sr_audit_event ev = {sr_actor_id(actor), sr_actor_type(app, actor), "importUsers",
                                    "user", user_id, "success", client->ip_prefix,
                                    client->request_id};
        return sr_audit_append(app->audit, tx, acct->id, &ev);
}

enum sr_rc
sr_user_import(struct sr_app *app, const struct sr_client *client, const struct sr_actor *actor,
               const struct sr_account_ref *acct, const struct sr_import_user *users, size_t n,
               size_t *ret_imported, struct sr_import_failure *ret_failed, size_t *ret_n_failed)
{
        if (n > SR_IMPORT_MAX_USERS)
                return SR_E_VALIDATION;
        char(*ids)[SR_ID_LEN + 1] = sr_calloc(n ? n : 1, sizeof(*ids));
        if (ids == NULL)
                return SR_E_NOMEM;
        bool *made = sr_calloc(n ? n : 1, sizeof(*made));
        SR_CLEANUP(sr_store_tx_freep) struct sr_tx *tx = NULL;
        enum sr_rc rc = made ? sr_store_begin(app->st, acct->region, &tx) : SR_E_NOMEM;
        size_t imported = 0, failed = 0;
        for (size_t i = 0; rc == SR_OK && i < n; i++) {
                rc = import_one(app, tx, client, actor, acct, &users[i], ids[i]);
                if (rc == SR_E_CONFLICT) {
                        ret_failed[failed++] = (struct sr_import_failure){
                                i, "username, e-mail or phone already in use"};
                        rc = SR_OK;
                } else if (rc == SR_OK) {
                        made[i] = true;
                        imported++;
                }
        }
        if (rc == SR_OK)
                rc = sr_store_commit(tx);
        if (rc != SR_OK) {
                /* Nothing committed: the new subject keys go too. */
                for (size_t i = 0; made != NULL && i < n; i++)
                        if (made[i])
                                sr_rc_ignore(sr_vault_subject_shred(app->vault, acct->region,
                                                                    acct->id, ids[i]));
        } else {
                *ret_imported = imported;
                *ret_n_failed = failed;
        }
        sr_free(made);
        sr_free(ids);
        return rc;
}
