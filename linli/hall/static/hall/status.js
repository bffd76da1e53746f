// Ticket status page: follows the queue in place (no page reload). The state is re-read from the
// page itself every 30 s and replaced only when it changed, inside a polite live region; the
// rating form, once shown, is never touched, so a rating being typed is never lost.
(function () {
  "use strict";
  var root = document.getElementById("ticket-status");
  var live = document.getElementById("ticket-live");
  var after = document.getElementById("ticket-after");
  if (!root || !live || !window.fetch || !window.DOMParser) { return; }
  var every = parseInt(root.getAttribute("data-poll") || "30000", 10);

  function same(a, b) { return a.textContent.replace(/\s+/g, " ").trim() === b.textContent.replace(/\s+/g, " ").trim(); }

  function tick() {
    fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("ticket-live");
        if (fresh && !same(fresh, live)) { live.replaceChildren.apply(live, Array.from(fresh.childNodes)); }
        var freshAfter = doc.getElementById("ticket-after");
        if (after && freshAfter && !after.querySelector("form") && !same(freshAfter, after)) {
          after.replaceChildren.apply(after, Array.from(freshAfter.childNodes));
        }
      })
      .catch(function () { /* try again at the next tick */ })
      .finally(function () { window.setTimeout(tick, every); });
  }
  window.setTimeout(tick, every);
}());
