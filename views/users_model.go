package views

import (
	"fmt"
	"strconv"
	"strings"

	"cardops/store"
)

// UsersData is the users page's model.
type UsersData struct {
	Users []store.UserSummary
	// Self is the viewer's username: the page offers them no way to
	// disable or demote themselves.
	Self   string
	Create UserCreateForm
	// Flash says what the last change did.
	Flash string
	// Handover is a one-time password to hand over, shown this once.
	Handover *Handover
	// Action is a per-user form that was refused, shown open with its errors.
	Action UserActionForm
}

// Handover is a one-time password an admin gives a person.
type Handover struct {
	Username string
	Password string
}

// UserCreateForm is the add-user form as typed, with its errors.
type UserCreateForm struct {
	Username string
	Level    string
	Password string
	Errors   store.FieldErrors
}

// UserActionForm is one per-user form (level, disable, enable, reset,
// sessions) as typed, with its errors or a refusal of the whole.
type UserActionForm struct {
	UserID int64
	// Kind is the form: "level", "disable", "enable", "password-reset",
	// "sessions".
	Kind   string
	Level  string
	Reason string
	Errors store.FieldErrors
	Error  string
}

// levelChosen reports whether level l is the one the level form shows: the
// one sent with a refused change, else the user's.
func (f UserActionForm) levelChosen(l, current store.Level) bool {
	if f.Level != "" {
		return f.Level == strconv.Itoa(l.Int())
	}
	return l == current
}

func (d UsersData) actionFor(id int64, kind string) UserActionForm {
	if d.Action.UserID == id && d.Action.Kind == kind {
		return d.Action
	}
	return UserActionForm{UserID: id, Kind: kind}
}

func (d UsersData) actionOpen(id int64) bool {
	return d.Action.UserID == id && (d.Action.Error != "" || len(d.Action.Errors) > 0)
}

func userPath(id int64, rest string) string {
	return "/settings/users/" + strconv.FormatInt(id, 10) + "/" + rest
}

// userFieldMessage words a field error of a user or account form.
func userFieldMessage(field, code string) string {
	switch field + "/" + code {
	case "username/" + store.FieldRequired:
		return "Enter a username."
	case "username/" + store.FieldTooLong:
		return "The username must be at most 64 characters."
	case "username/" + store.FieldInvalid:
		return "Use letters A–Z, digits and . _ - @ only (no spaces or accents), starting with a letter or digit, so no two names look alike; cli and anonymous name the command line and unsigned requests."
	case "username/" + store.FieldTaken:
		return "There is a user with this name already."
	case "level/" + store.FieldInvalid, "level/" + store.FieldRequired:
		return "Choose level 1, 2 or 3."
	case "password/" + store.FieldTooShort, "new/" + store.FieldTooShort:
		return fmt.Sprintf("The password must be at least %d characters.", store.MinPasswordLength)
	case "password/" + store.FieldTooLong, "new/" + store.FieldTooLong:
		return "The password must be at most 72 bytes."
	case "password/" + store.FieldWeak, "new/" + store.FieldWeak:
		return "This password is among the first a guesser tries (one character repeated, a run such as 1234567890 or qwertyuiop, or a common password): choose another."
	case "new/" + store.FieldRequired:
		return "Enter a new password."
	case "new/" + store.FieldInvalid:
		return "The new password must differ from the current one."
	case "confirm/" + store.FieldMismatch:
		return "The two new passwords differ: type the same one twice."
	case "current/" + store.FieldRequired:
		return "Enter your current password."
	case "current/" + store.FieldWrong:
		return "That is not your current password."
	case "reason/" + store.FieldRequired:
		return "Say why: the reason goes into the audit log."
	case "reason/" + store.FieldTooLong:
		return fmt.Sprintf("The reason must be at most %d characters.", store.UserReasonMax)
	}
	if code == "" {
		return ""
	}
	return "This value is not valid."
}

func (f UserCreateForm) fieldError(field string) string {
	return userFieldMessage(field, f.Errors[field])
}
func (f UserActionForm) fieldError(field string) string {
	return userFieldMessage(field, f.Errors[field])
}

// userState words an account's state.
func userState(u store.User) string {
	if u.Disabled() {
		return "disabled"
	}
	return "active"
}

// pausedWords words the addresses u's sign-ins are refused from: "sign-ins
// paused from 2 addresses until …", until the last of them ends; "" for
// none.
func pausedWords(u store.UserSummary) string {
	n := len(u.Paused)
	if n == 0 {
		return ""
	}
	addresses := "1 address"
	if n > 1 {
		addresses = strconv.Itoa(n) + " addresses"
	}
	return "sign-ins paused from " + addresses + " until " + FormatTime(u.Paused[n-1].Until)
}

// pausedList names each address u's sign-ins are refused from, with until
// when when the addresses' pauses end at different times. Only the users
// page, an admin's, shows it.
func pausedList(u store.UserSummary) string {
	var b strings.Builder
	for i, p := range u.Paused {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Address)
		if !p.Until.Equal(u.Paused[len(u.Paused)-1].Until) {
			b.WriteString(" (until " + FormatTime(p.Until) + ")")
		}
	}
	return b.String()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// levelOptions are the levels a form offers.
var levelOptions = []store.Level{store.LevelReadOnly, store.LevelOperational, store.LevelAdmin}
