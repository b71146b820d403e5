package views

import "cardops/store"

// AccountData is the account page's model: the person's own sessions and
// two-factor state.
type AccountData struct {
	User     store.User
	Sessions []store.Session
	// CurrentID is the ID of the session this page is shown in.
	CurrentID string
	// RecoveryLeft is how many unused recovery codes the person has.
	RecoveryLeft int
	// Flash says what the last change did.
	Flash string
	// Error is a refusal (a session that is not theirs or gone).
	Error string
}

// PasswordForm is the change-password form's model.
type PasswordForm struct {
	// Forced is set when the password was set by someone else and must be
	// changed before anything else.
	Forced bool
	Errors store.FieldErrors
}

func (f PasswordForm) fieldError(field string) string {
	return userFieldMessage(field, f.Errors[field])
}

// TwoFactorEnrolData is the enrolment page's model.
type TwoFactorEnrolData struct {
	// Enrolled is set when two-factor is on already (then nothing else is).
	Enrolled     bool
	RecoveryLeft int
	// Secret is the base32 secret being enrolled, shown as text beside the
	// QR code.
	Secret string
	// Forced is set when the person's level requires two-factor.
	Forced    bool
	CodeError string
}

// RecoveryCodesData lists the recovery codes once, right after enrolment.
type RecoveryCodesData struct {
	Codes []string
}

// LoginTwoFactorForm is the second sign-in step's model.
type LoginTwoFactorForm struct {
	Username string
	Error    string
}
