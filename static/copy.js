// copy.js — the console's own script (not vendored): a button with
// data-copy="ID" copies the text of the element with that id. The buttons
// start hidden and are shown here, so a browser without scripts shows none.
(function () {
  "use strict";
  function show(root) {
    root.querySelectorAll("[data-copy]").forEach(function (b) { b.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { show(document); });
  // Sections htmx swaps in bring their own buttons.
  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target instanceof Element) show(e.target);
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-copy]");
    if (!b) return;
    var el = document.getElementById(b.getAttribute("data-copy"));
    if (!el || !navigator.clipboard) return;
    navigator.clipboard.writeText(el.textContent.trim()).then(function () {
      var label = b.textContent;
      b.textContent = "Copied";
      b.setAttribute("data-copied", "true");
      setTimeout(function () { b.textContent = label; b.removeAttribute("data-copied"); }, 1500);
    });
  });
})();
