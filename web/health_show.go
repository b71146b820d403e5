package web

import (
	"context"
	"net/http"
	"time"
)

// healthShow reports that the process is alive.
func (s *Server) healthShow(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyWriteEvery is how often readiness writes its heartbeat at most: the
// route needs no sign-in, and each write takes the single writer.
const readyWriteEvery = time.Second

// readyShow reports whether the database answers and takes a write: it
// rewrites a heartbeat row, so a locked database, a full disk or a
// read-only file answer 503. A write that succeeded within readyWriteEvery
// stands for this one (so a failure shows at most that much later).
func (s *Server) readyShow(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("readiness", "trace_id", traceID(r), "err", err)
		s.jsonError(w, r, http.StatusServiceUnavailable, "NOT_READY", "The database does not answer.")
		return
	}
	// One request at a time claims the heartbeat (compare-and-swap): a
	// burst of checks writes once, the others stand on the last write.
	now, last := s.now().UnixNano(), s.readyWrote.Load()
	if time.Duration(now-last) >= readyWriteEvery && s.readyWrote.CompareAndSwap(last, now) {
		if err := s.store.CheckWrite(ctx); err != nil {
			s.readyWrote.Store(0) // the next check tries again
			s.log.Error("readiness", "trace_id", traceID(r), "err", err)
			s.jsonError(w, r, http.StatusServiceUnavailable, "NOT_READY", "The database does not take writes.")
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
