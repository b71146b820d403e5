package store

// Audit actions: what an audit row says was done. A simulation's action is
// "simulate." followed by the action (AuditSimulate).

// Audit actions: sign-in and access.
const (
	AuditLogin             = "login"
	AuditLoginPassword     = "login.password"
	AuditLoginSecondFactor = "login.2fa"
	AuditLogout            = "logout"
	AuditAccessDenied      = "access.denied"
	AuditCrossOrigin       = "request.cross_origin"
)

// Audit actions: cards.
const (
	AuditCardFreeze     = "card.freeze"
	AuditCardUnfreeze   = "card.unfreeze"
	AuditReissueRequest = "reissue.request"
	AuditReissueConfirm = "reissue.confirm"
	AuditReissueReject  = "reissue.reject"
	AuditCardReissue    = "card.reissue"
)

// Audit actions: the sandbox and its notifications.
const (
	AuditSimulateEdited     = "simulate.edited"
	AuditSimulateBurst      = "simulate.burst"
	AuditSimulateBurstStop  = "simulate.burst_stop"
	AuditEventReplay        = "event.replay"
	AuditWebhookRotate      = "webhook.rotate"
	AuditWebhookSubscribe   = "webhook.subscribe"
	AuditWebhookUnsubscribe = "webhook.unsubscribe"
)

// Audit actions: users and accounts.
const (
	AuditUserCreate        = "user.create"
	AuditUserLevel         = "user.level"
	AuditUserDisable       = "user.disable"
	AuditUserEnable        = "user.enable"
	AuditUserPasswordReset = "user.password_reset"
	AuditUserSessionsEnd   = "user.sessions_end"
	AuditUserTwoFactorOff  = "user.2fa_reset"
	AuditUserUnlock        = "user.unlock"
	AuditUserStepUpLockout = "user.step_up_lockout"
	AuditPasswordChange    = "account.password_change"
	AuditSessionEnd        = "account.session_end"
	AuditTwoFactorEnrol    = "account.2fa_enrol"
)

// Audit actions: api keys.
const (
	AuditAPIKeyCreate = "apikey.create"
	AuditAPIKeyRevoke = "apikey.revoke"
)

// AuditSimulate is the audit action of a sandbox action (authorize,
// clearing, …).
func AuditSimulate(action string) string { return "simulate." + action }
