#pragma once
/* Every API handler, one per operationId. */
#include "api/call.h"

SR_NODISCARD enum sr_rc sr_api_get_health(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_metrics(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_openapi(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_web_app(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_create_account(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_account(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_create_session(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_current_session(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_delete_session(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_me(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_change_password(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_create_user(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_users(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_user(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_update_user(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_delete_user(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_audit_events(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_account_settings(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_update_account_settings(struct sr_call *call);
/* AUTH-6 (api/reset.c). */
SR_NODISCARD enum sr_rc sr_api_request_password_reset(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_complete_password_reset(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_reset_page(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_reset_script(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_create_channel(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_channels(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_channel(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_update_channel(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_delete_channel(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_grant_role(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_revoke_role(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_role_grants(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_revoke_user_sessions(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_my_sessions(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_delete_my_session(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_ip_allowlist(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_set_ip_allowlist(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_create_api_key(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_api_keys(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_revoke_api_key(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_create_support_grant(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_support_grants(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_revoke_support_grant(struct sr_call *call);
/* Password profiles, legacy import, self-service profile (AUTH-2, AUTH-4,
 * AUTH-5, AUTH-9). */
SR_NODISCARD enum sr_rc sr_api_get_password_policy(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_update_password_policy(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_import_users(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_update_me(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_verify_email(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_list_my_activity(struct sr_call *call);
/* AUTH-3, AUTH-8, ACC-6 (api/second_factor.c, api/blocking.c). */
SR_NODISCARD enum sr_rc sr_api_enroll_totp(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_confirm_totp(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_delete_totp(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_regenerate_recovery_codes(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_verify_second_factor(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_unlock_user(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_block_user(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_unblock_user(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_block_account(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_unblock_account(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_verify_email_page(struct sr_call *call);
SR_NODISCARD enum sr_rc sr_api_get_verify_email_script(struct sr_call *call);
