/* The schema. Customer-data tables all carry account_id; personal data
 * columns end in _ct (AEAD ciphertext) and look-ups use _bi blind indexes
 * (DATA-2). Clear columns hold only ids, times, states and truncated
 * address prefixes. */
#include "store/migrations/migrations.h"

#include <stddef.h>

const struct sr_migration sr_migrations_directory[] = {
        {1, "CREATE TABLE accounts ("
            " id TEXT PRIMARY KEY,"
            " slug TEXT NOT NULL UNIQUE,"
            " region TEXT NOT NULL,"
            " state TEXT NOT NULL,"
            " created_at INTEGER NOT NULL);"},
        {0, NULL},
};

const struct sr_migration sr_migrations_keys[] = {
        {1, "CREATE TABLE keys ("
            " account_id TEXT NOT NULL,"
            " owner_id TEXT NOT NULL,"
            " wrapped BLOB NOT NULL,"
            " created_at INTEGER NOT NULL,"
            " PRIMARY KEY (account_id, owner_id));"},
        {0, NULL},
};

const struct sr_migration sr_migrations_data[] = {
        {1, "CREATE TABLE accounts ("
            " id TEXT PRIMARY KEY,"
            " account_id TEXT NOT NULL,"
            " company_ct BLOB NOT NULL,"
            " country TEXT NOT NULL,"
            " signup_user_id TEXT,"
            " signup_ip_prefix TEXT,"
            " signup_ip_ct BLOB,"
            " signup_browser_ct BLOB,"
            " signup_os_ct BLOB,"
            " idle_timeout_s INTEGER NOT NULL,"
            " max_lifetime_s INTEGER NOT NULL,"
            " created_at INTEGER NOT NULL);"
            "CREATE TABLE users ("
            " id TEXT PRIMARY KEY,"
            " account_id TEXT NOT NULL,"
            " username_ct BLOB NOT NULL,"
            " username_bi BLOB NOT NULL,"
            " email_ct BLOB, email_bi BLOB,"
            " phone_ct BLOB, phone_bi BLOB,"
            " name_ct BLOB,"
            " pw_hash TEXT NOT NULL,"
            " pw_must_change INTEGER NOT NULL,"
            " pw_changed_at INTEGER NOT NULL,"
            " state TEXT NOT NULL,"
            " session_epoch INTEGER NOT NULL,"
            " created_at INTEGER NOT NULL,"
            " updated_at INTEGER NOT NULL);"
            "CREATE UNIQUE INDEX users_username ON users (account_id, username_bi);"
            "CREATE UNIQUE INDEX users_email ON users (account_id, email_bi)"
            " WHERE email_bi IS NOT NULL;"
            "CREATE UNIQUE INDEX users_phone ON users (account_id, phone_bi)"
            " WHERE phone_bi IS NOT NULL;"
            "CREATE INDEX users_account ON users (account_id, id);"
            "CREATE TABLE role_grants ("
            " id TEXT PRIMARY KEY,"
            " account_id TEXT NOT NULL,"
            " user_id TEXT NOT NULL,"
            " role TEXT NOT NULL,"
            " channel_id TEXT,"
            " granted_by TEXT,"
            " created_at INTEGER NOT NULL);"
            "CREATE INDEX role_grants_user ON role_grants (account_id, user_id);"
            "CREATE TABLE sessions ("
            " id TEXT PRIMARY KEY,"
            " account_id TEXT NOT NULL,"
            " user_id TEXT NOT NULL,"
            " token_hash BLOB NOT NULL UNIQUE,"
            " epoch INTEGER NOT NULL,"
            " created_at INTEGER NOT NULL,"
            " last_seen_at INTEGER NOT NULL,"
            " expires_at INTEGER NOT NULL,"
            " ip_prefix TEXT,"
            " ip_ct BLOB,"
            " ua_ct BLOB);"
            "CREATE INDEX sessions_user ON sessions (account_id, user_id);"
            "CREATE TABLE audit_events ("
            " account_id TEXT NOT NULL,"
            " seq INTEGER NOT NULL,"
            " id TEXT NOT NULL UNIQUE,"
            " time INTEGER NOT NULL,"
            " actor_id TEXT,"
            " actor_type TEXT NOT NULL,"
            " action TEXT NOT NULL,"
            " target_type TEXT,"
            " target_id TEXT,"
            " outcome TEXT NOT NULL,"
            " client_ip_prefix TEXT,"
            " request_id TEXT,"
            " mac BLOB NOT NULL,"
            " PRIMARY KEY (account_id, seq));"
            "CREATE TABLE audit_checkpoints ("
            " account_id TEXT PRIMARY KEY,"
            " seq INTEGER NOT NULL,"
            " mac BLOB NOT NULL,"
            " sig BLOB NOT NULL,"
            " time INTEGER NOT NULL);"},
        {0, NULL},
};
