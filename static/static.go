// Package static holds the console's browser assets, embedded into the binary so
// that nothing is fetched from the internet at run time:
//
//   - htmx.min.js — htmx 2.0.11 (npm htmx.org, dist/htmx.min.js)
//   - sse.js      — the htmx Server-Sent Events extension 2.2.4 (npm htmx-ext-sse, dist/sse.js)
//   - app.css     — the console's own stylesheet (no framework, system fonts)
//   - copy.js     — the console's own copy-to-clipboard buttons
//   - live.js     — the console's own script: marks an open live stream (data-stream="open")
//   - keys.js     — the console's own script: keyboard shortcuts and the command palette
//   - favicon.svg — the console's icon (a card), drawn for it
//
// VERSIONS.md records where the vendored files come from, their sha256 and how to
// refresh them. Serve FS with, for example,
//
//	http.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static.FS)))
package static

import "embed"

// FS contains htmx.min.js, sse.js, app.css, copy.js, live.js, keys.js and favicon.svg at its root.
//
//go:embed htmx.min.js sse.js app.css copy.js live.js keys.js favicon.svg
var FS embed.FS
