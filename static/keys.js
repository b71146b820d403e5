// keys.js is the console's own script (not vendored, no framework): the
// keyboard shortcuts.
//   /            focus the card search box (the card page's, else the top bar's)
//   Ctrl/⌘-K     open the command palette (<dialog id="palette">)
//   ?            show every shortcut (<dialog id="shortcuts">)
//   ↑ ↓          move through the result list of a search box that names it
//                (data-nav-target), Enter opens the link, Esc closes a dialog
// It also keeps focus somewhere sensible after an htmx swap, shows a
// timeline entry named by ?at=, and gives times the viewer's own zone.
(function () {
  "use strict";

  function typing(el) {
    if (!el || !(el instanceof Element)) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function searchBox() {
    return document.getElementById("card-q") || document.getElementById("top-q");
  }

  function openDialog(id) {
    var d = document.getElementById(id);
    if (!d || d.open) return d;
    d.showModal();
    return d;
  }

  function openPalette() {
    var d = openDialog("palette");
    if (!d) return;
    var q = document.getElementById("palette-q");
    q.focus();
    q.select();
    if (window.htmx) window.htmx.trigger(q, "palette-open");
  }

  // items are the links of the list a search box names, or of the list the
  // focused link is in.
  function listOf(el) {
    if (el && el.getAttribute && el.getAttribute("data-nav-target")) {
      return document.getElementById(el.getAttribute("data-nav-target"));
    }
    return el && el.closest ? el.closest("[data-nav-list], #palette-results") : null;
  }

  function items(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll("a[data-nav-item]")) : [];
  }

  function move(e, step) {
    var el = document.activeElement;
    var list = listOf(el);
    var all = items(list);
    if (!all.length) return false;
    var i = all.indexOf(el);
    if (i < 0) {
      if (step < 0) return false;
      all[0].focus();
    } else if (i + step < 0) {
      // Up from the first result goes back to the box that searched.
      var box = document.querySelector("[data-nav-target='" + list.id + "']");
      if (box) box.focus();
    } else if (i + step < all.length) {
      all[i + step].focus();
    }
    e.preventDefault();
    return true;
  }

  document.addEventListener("keydown", function (e) {
    var el = document.activeElement;
    if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey) {
      e.preventDefault();
      openPalette();
      return;
    }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      move(e, e.key === "ArrowDown" ? 1 : -1);
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(el)) return;
    if (e.key === "/") {
      var box = searchBox();
      if (box) {
        e.preventDefault();
        box.focus();
        box.select();
      }
    } else if (e.key === "?") {
      e.preventDefault();
      openDialog("shortcuts");
    }
  });

  // Enter in the palette's box opens its first result.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !e.target || e.target.id !== "palette-q") return;
    var first = items(document.getElementById("palette-results"))[0];
    if (first) {
      e.preventDefault();
      first.click();
    }
  });

  // The card search's results are a list the arrows move through.
  function markLists(root) {
    (root || document).querySelectorAll("[data-testid=card-results] tbody tr td:first-child a").forEach(function (a) {
      a.setAttribute("data-nav-item", "");
    });
    var q = document.getElementById("card-q");
    if (q) q.setAttribute("data-nav-target", "card-results");
  }

  // localTimes adds the viewer's own time to the title of each <time>,
  // after the UTC time the server wrote.
  function localTimes(root) {
    (root || document).querySelectorAll("time.tl-time[datetime]").forEach(function (t) {
      if (t.hasAttribute("data-local")) return;
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      t.title = d.toLocaleString() + " (your time) · " + t.title;
      t.setAttribute("data-local", "");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    markLists(document);
    localTimes(document);
    // Filters fold on a narrow screen, so the rows come first.
    if (window.matchMedia("(max-width: 700px)").matches) {
      document.querySelectorAll("details[data-fold-narrow]").forEach(function (d) { d.open = false; });
    }
    var at = document.querySelector(".tl-entry.tl-at");
    if (at) at.scrollIntoView({ block: "center" });
    document.body.setAttribute("data-keys", "ready");
  });

  // A form opened in place (<details>, e.g. Freeze card…) takes the focus
  // on its first field.
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!(d instanceof HTMLDetailsElement) || !d.open || d.hasAttribute("data-fold-narrow")) return;
    var f = d.querySelector("form input:not([type=hidden]), form select, form textarea");
    if (f) f.focus();
  }, true);

  // lostFocus says the swap under way holds the focused element.
  var lostFocus = false;
  // opened are the timeline lines open before a live refresh, kept open.
  var opened = [];
  document.addEventListener("htmx:beforeSwap", function (e) {
    var a = document.activeElement;
    var t = e.detail && e.detail.target;
    lostFocus = !!(a && a !== document.body && t && t.contains(a));
    opened = [];
    if (t) {
      t.querySelectorAll(".tl-entry[data-key] > details[open]").forEach(function (d) {
        opened.push(d.parentElement.getAttribute("data-key"));
      });
    }
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    markLists(target);
    localTimes(target);
    opened.forEach(function (key) {
      var li = document.querySelector('.tl-entry[data-key="' + key + '"] > details');
      if (li) li.open = true;
    });
    opened = [];
    // A swap that took the focused element away leaves focus on <body>:
    // put it on what was swapped in instead.
    var a = document.activeElement;
    if (lostFocus && (!a || a === document.body) && target && document.contains(target)) {
      lostFocus = false;
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  });
})();
