// live.js is the console's own script (not vendored). It announces the state
// of a live stream on the page: the element that holds it (sse-connect)
// carries data-stream="open" while its EventSource is open, and loses it when
// the stream errs or closes, so people (and browser tests) can tell a live
// page from one that is only showing what it had.
(function () {
  "use strict";
  function set(e) {
    if (e.target instanceof Element) e.target.setAttribute("data-stream", "open");
  }
  function clear(e) {
    if (e.target instanceof Element) e.target.removeAttribute("data-stream");
  }
  document.addEventListener("htmx:sseOpen", set);
  document.addEventListener("htmx:sseError", clear);
  document.addEventListener("htmx:sseClose", clear);
})();
