package views

import (
	"fmt"

	"cardops/store"
)

// CardFreezeForm is the freeze or unfreeze form: the raw values, the field
// errors from store.CardFreeze.Validate and a refusal shown above it.
type CardFreezeForm struct {
	CardID      string
	Freeze      bool
	SeenVersion int64
	Reason      string
	Note        string
	Errors      store.FieldErrors
	// Error is a refusal of the whole form (the card changed, its status
	// does not allow it).
	Error string
}

// CardFreezeData is the card page's freeze panel and the freeze page's model.
type CardFreezeData struct {
	Card store.Card
	// Last is the card's latest freeze or unfreeze, nil when none.
	Last *store.CardStatusChange
	// CanChange reports whether the viewer may freeze or unfreeze (level 3).
	CanChange bool
	Form      CardFreezeForm
}

// Offered reports whether the card's status allows the form: ACTIVE cards
// freeze, FROZEN cards unfreeze.
func (d CardFreezeData) Offered() bool {
	return d.Card.Status == "ACTIVE" || d.Card.Status == "FROZEN"
}

// NewCardFreezeForm is a fresh form for the card as it is now.
func NewCardFreezeForm(c store.Card) CardFreezeForm {
	return CardFreezeForm{CardID: c.ID, Freeze: c.Status != "FROZEN", SeenVersion: c.Version}
}

func (f CardFreezeForm) verb() string {
	if f.Freeze {
		return "Freeze"
	}
	return "Unfreeze"
}

// Title is the freeze page's title.
func (f CardFreezeForm) Title() string { return f.verb() + " card" }

func (f CardFreezeForm) action() string {
	if f.Freeze {
		return "/cards/" + f.CardID + "/freeze"
	}
	return "/cards/" + f.CardID + "/unfreeze"
}

// FreezeReasonLabel words a freeze reason.
func FreezeReasonLabel(r store.FreezeReason) string {
	switch r {
	case store.FreezeSuspectedFraud:
		return "Suspected fraud"
	case store.FreezeCustomerRequest:
		return "Customer request"
	case store.FreezeLostThenFound:
		return "Lost, then found"
	case store.FreezeOther:
		return "Other (write a note)"
	case store.StatusReasonReissue:
		return "Reissued with a new number"
	case store.FreezeNotGiven:
		return "through the API; no reason given"
	}
	return string(r)
}

// freezeFieldMessage words a field error of the freeze form.
func freezeFieldMessage(field, code string) string {
	switch field + "/" + code {
	case "":
		return ""
	case "reason/" + store.FieldRequired, "reason/" + store.FieldInvalid:
		return "Choose a reason from the list."
	case "note/" + store.FieldRequired:
		return "Write a note: it is required when the reason is “Other”."
	case "note/" + store.FieldTooLong:
		return fmt.Sprintf("The note must be at most %d characters.", store.FreezeNoteMax)
	}
	if code == "" {
		return ""
	}
	return "This value is not valid."
}

func (f CardFreezeForm) fieldError(field string) string {
	return freezeFieldMessage(field, f.Errors[field])
}

// statusSince words when and why the card reached its status, "" when no
// freeze or unfreeze is on record.
func statusSince(last *store.CardStatusChange) string {
	if last == nil {
		return ""
	}
	s := "since " + FormatMillis(last.At) + " (" + last.Actor + ": " + FreezeReasonLabel(last.Reason)
	if last.Note != "" {
		s += " — " + last.Note
	}
	return s + ")"
}

// CardStatusRefusal words a freeze or unfreeze the card's status refused.
func CardStatusRefusal(e *store.CardStatusError) string {
	if e.Freeze && e.Status == "FROZEN" || !e.Freeze && e.Status == "ACTIVE" {
		msg := "This card is " + e.Status + " already"
		if e.Last != nil && e.Last.To == e.Status {
			msg += fmt.Sprintf(": %s did it at %s (%s)", e.Last.Actor, FormatMillis(e.Last.At), FreezeReasonLabel(e.Last.Reason))
		}
		return msg + ". Nothing more was changed."
	}
	if e.Freeze {
		return "Only an ACTIVE card can be frozen; this card is " + e.Status + ". Nothing was changed."
	}
	return "Only a FROZEN card can be unfrozen; this card is " + e.Status + ". Nothing was changed."
}
