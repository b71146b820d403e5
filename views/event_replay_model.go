package views

import (
	"encoding/json"
	"strconv"
	"time"

	"cardops/store"
)

// EventReplayView is one replay of an event on its way: the outbox row and
// its attempts and, once it is delivered, the event as it now stands, so
// the page's delivery panel and attempts list are brought up to date. When
// Error is set the replay was refused and nothing else is shown.
type EventReplayView struct {
	EventID  string
	Message  store.OutboxMessage
	Attempts []store.OutboxAttempt
	// Event is the event reloaded after the replay was delivered.
	Event *store.Event
	// Target is where the dispatcher delivers.
	Target string
	Now    time.Time
	// Error says, in words, why the replay was refused or its progress
	// could not be read.
	Error string
}

// Replay states, as the fragment announces them in data-state.
const (
	replayQueued    = "queued"
	replayDelivered = "delivered"
	replayFailing   = "failing"
	replayRefused   = "refused"
)

func (v EventReplayView) state() string {
	switch {
	case v.Message.State == store.OutboxDelivered:
		return replayDelivered
	case v.Message.State == store.OutboxRefused:
		return replayRefused
	case len(v.Attempts) == 0:
		return replayQueued
	}
	return replayFailing
}

// pollWithin is how soon a failed replay's next attempt must be due for the
// fragment to keep watching it; a later one is left to "Check again".
const pollWithin = 10 * time.Second

// trigger is the fragment's hx-trigger: often while the replay is on its
// way, less often while a failed one waits for a retry that is due soon,
// and "" (no polling) once it is settled or its next attempt is far off.
func (v EventReplayView) trigger() string {
	switch v.state() {
	case replayQueued:
		return "every 300ms"
	case replayFailing:
		if time.UnixMilli(v.Message.NextAttemptAt).Sub(v.Now) <= pollWithin {
			return "every 1s"
		}
	}
	return ""
}

func (v EventReplayView) url() string {
	return "/events/" + v.EventID + "/replays/" + strconv.FormatInt(v.Message.ID, 10)
}

func (v EventReplayView) lastAttempt() store.OutboxAttempt {
	if len(v.Attempts) == 0 {
		return store.OutboxAttempt{}
	}
	return v.Attempts[len(v.Attempts)-1]
}

// scheme says how the replay authenticates.
func (v EventReplayView) scheme() string {
	if v.Message.Scheme == store.SchemeProvider {
		return "with the provider's key, as the event came"
	}
	return "signed under webhook-id " + v.Message.WebhookID
}

// filedElsewhere returns the event id the receiver's answer names when it
// is not this event (a receiver of this console answers
// {"id","duplicate","attempts"}), else "".
func (v EventReplayView) filedElsewhere() string {
	var ack struct {
		ID int64 `json:"id"`
	}
	if json.Unmarshal([]byte(v.lastAttempt().ResponseHead), &ack) != nil || ack.ID == 0 {
		return ""
	}
	if id := strconv.FormatInt(ack.ID, 10); id != v.EventID {
		return id
	}
	return ""
}

// answerText describes an attempt's answer in words.
func answerText(a store.OutboxAttempt) string {
	s := attemptAnswer(a)
	if a.HTTPStatus == 0 && a.Error != "" {
		s += " (" + a.Error + ")"
	}
	return s
}
