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
