// Display board: polls the JSON endpoint, redraws without reload, flags stale data,
// and plays the offline Mandarin clips of each new call (after a tap: browsers block autoplay).
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var url = root.dataset.url;
  var voiceBase = root.dataset.voice;
  var t = root.dataset;
  var POLL_MS = 3000;
  var STALE_MS = 15000;
  var lastOk = Date.now();
  var lastCallId = null;
  var voiceOn = false;
  var queue = [];
  var playing = false;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function playNext() {
    if (playing || queue.length === 0) { return; }
    playing = true;
    var clip = queue.shift();
    var audio = new Audio(voiceBase + clip + ".wav");
    audio.onended = audio.onerror = function () { playing = false; playNext(); };
    audio.play().catch(function () { playing = false; queue = []; });
  }

  function announce(words) {
    if (!voiceOn) { return; }
    // Each call is spoken twice.
    queue = queue.concat(words, words);
    playNext();
  }

  function render(data) {
    var windows = document.getElementById("board-windows");
    windows.replaceChildren();
    data.windows.forEach(function (w) {
      var tr = el("tr");
      tr.appendChild(el("th", w.number + t.windowSuffix));
      var td = el("td");
      if (w.ticket) { td.textContent = w.ticket; }
      else if (!w.open) { td.appendChild(el("span", t.closed, "muted")); }
      else { td.textContent = "—"; }
      tr.appendChild(td);
      windows.appendChild(tr);
    });
    var calls = document.getElementById("board-calls");
    calls.replaceChildren();
    data.calls.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("b", c.number));
      li.appendChild(document.createTextNode(" → " + c.window + t.windowSuffix + " "));
      li.appendChild(el("small", c.at));
      calls.appendChild(li);
    });
    var waiting = document.getElementById("board-waiting");
    waiting.replaceChildren();
    if (data.waiting.length === 0) { waiting.appendChild(el("li", t.nobody)); }
    data.waiting.forEach(function (q) {
      var li = el("li", q.prefix + " " + q.queue + "：");
      li.appendChild(el("b", String(q.count)));
      waiting.appendChild(li);
    });
    var latest = document.getElementById("board-latest");
    var first = data.calls[0];
    latest.replaceChildren();
    if (first) {
      latest.appendChild(el("b", first.number));
      latest.appendChild(document.createTextNode(" " + t.goTo.replace("%s", first.window)));
    } else { latest.textContent = "—"; }
    if (first && lastCallId !== null && first.id !== lastCallId) {
      data.calls.filter(function (c) { return c.id > lastCallId; }).reverse()
        .forEach(function (c) { announce(c.voice); });
    }
    if (first) { lastCallId = first.id; } else if (lastCallId === null) { lastCallId = 0; }
  }

  function checkStale() {
    var stale = Date.now() - lastOk > STALE_MS;
    document.getElementById("board-stale").hidden = !stale;
    root.classList.toggle("stale", stale);
    document.getElementById("board-clock").textContent = new Date().toLocaleTimeString("zh-CN");
  }

  function poll() {
    fetch(url, { cache: "no-store", headers: { "X-Linli-Terminal": "board" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { lastOk = Date.now(); render(data); })
      .catch(function () { /* the stale indicator shows after STALE_MS */ })
      .finally(function () { checkStale(); setTimeout(poll, POLL_MS); });
  }

  document.getElementById("voice-on").addEventListener("click", function (ev) {
    voiceOn = !voiceOn;
    ev.currentTarget.setAttribute("aria-pressed", voiceOn ? "true" : "false");
    ev.currentTarget.textContent = voiceOn ? t.voiceOff : t.voiceOnLabel;
  });
  setInterval(checkStale, 1000);
  poll();
}());
