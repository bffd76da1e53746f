// Idle timeout warning (docs/security.md). The server ends a session after
// LINLI_IDLE_TIMEOUT_MINUTES without a request; this script warns before that happens.
// When the warning is due it asks the server how long is really left (another tab may have
// been used meanwhile), shows a countdown with "continue" (which counts as activity), and
// reloads the page at zero so the server signs the session out and shows the login page.
(function () {
  "use strict";
  var body = document.body;
  var total = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var warnAt = parseInt(body.getAttribute("data-idle-warn") || "0", 10);
  var url = body.getAttribute("data-idle-url");
  var box = document.getElementById("idle-warning");
  var countdown = document.getElementById("idle-countdown");
  var stay = document.getElementById("idle-stay");
  if (!total || !url || !box) return;
  var timer = null;
  var ticker = null;
  var deadline = 0;

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function schedule(seconds) {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(seconds, 1) * 1000);
  }
  function hide() {
    box.hidden = true;
    window.clearInterval(ticker);
  }
  function tick() {
    var left = Math.max(Math.round((deadline - Date.now()) / 1000), 0);
    countdown.textContent = String(left);
    if (left <= 0) {
      window.clearInterval(ticker);
      window.location.reload();
    }
  }
  function show(remaining) {
    deadline = Date.now() + remaining * 1000;
    box.hidden = false;
    tick();
    window.clearInterval(ticker);
    ticker = window.setInterval(tick, 1000);
    stay.focus();
  }
  function check() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { remaining: 0 }; })
      .then(function (data) {
        var remaining = data.remaining;
        if (remaining === null || remaining === undefined) return;
        var warning = total - warnAt;
        if (remaining > warning) { hide(); schedule(remaining - warning); }
        else { show(remaining); schedule(remaining + 1); }
      })
      .catch(function () { schedule(30); });
  }
  stay.addEventListener("click", function () {
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf() } })
      .then(function () { hide(); schedule(warnAt); });
  });
  schedule(warnAt);
})();
