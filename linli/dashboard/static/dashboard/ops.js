// Street operations screen: polls the JSON endpoint, redraws the panels without reloading,
// pauses while the tab is hidden, and shows when the figures stopped updating.
(function () {
  "use strict";
  var root = document.getElementById("ops");
  if (!root) { return; }
  var url = root.dataset.url;
  var pollMs = Math.max(5, parseInt(root.dataset.poll, 10) || 20) * 1000;
  var staleMs = pollMs * 3;
  var lastOk = Date.now();
  var lastTime = document.getElementById("ops-updated").textContent;
  var timer = null;
  var inFlight = false;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function linked(href, child) {
    if (!href) { return child; }
    var a = el("a");
    a.href = href;
    a.appendChild(child);
    return a;
  }

  function figure(f) {
    var box = el("div", null, "ops-fig lv-" + f.level);
    box.dataset.key = f.key;
    box.appendChild(el("dt", f.label));
    var dd = el("dd");
    var value = document.createDocumentFragment();
    value.appendChild(el("b", String(f.value), "ops-value"));
    if (f.total !== null && f.total !== undefined) { value.appendChild(el("small", "/" + f.total)); }
    if (f.unit) { value.appendChild(el("small", f.unit)); }
    if (f.link) {
      var a = el("a");
      a.href = f.link;
      a.appendChild(value);
      dd.appendChild(a);
    } else { dd.appendChild(value); }
    box.appendChild(dd);
    return box;
  }

  function panel(p) {
    var section = el("section", null, "ops-panel lv-" + p.level);
    section.dataset.key = p.key;
    var h2 = el("h2");
    h2.appendChild(linked(p.link, document.createTextNode(p.title)));
    section.appendChild(h2);
    var dl = el("dl", null, "ops-figures");
    p.figures.forEach(function (f) { dl.appendChild(figure(f)); });
    section.appendChild(dl);
    var ul = el("ul", null, "ops-items");
    if (p.items.length === 0 && p.empty) { ul.appendChild(el("li", p.empty, "ops-empty")); }
    p.items.forEach(function (i) { ul.appendChild(el("li", i.text, "lv-" + i.level)); });
    section.appendChild(ul);
    return section;
  }

  function render(data) {
    var grid = document.getElementById("main");
    grid.replaceChildren.apply(grid, data.panels.map(panel));
    grid.className = "ops-grid ops-n" + data.panels.length;
    root.className = "ops lv-" + data.level;
    var updated = document.getElementById("ops-updated");
    updated.textContent = data.time;
    updated.setAttribute("datetime", data.generated_at);
    lastTime = data.time;
  }

  function tick() {
    var stale = Date.now() - lastOk > staleMs;
    var banner = document.getElementById("ops-stale");
    banner.hidden = !stale;
    if (stale) { banner.textContent = root.dataset.staleText.replace("%s", lastTime); }
    root.classList.toggle("stale", stale);
    // The street's time, whatever the wall computer's own time zone.
    document.getElementById("ops-clock").textContent = new Date().toLocaleTimeString(
      "zh-CN", { hour12: false, timeZone: root.dataset.tz || undefined });
  }

  function schedule() {
    clearTimeout(timer);
    timer = document.hidden ? null : setTimeout(poll, pollMs);
  }

  function poll() {
    if (inFlight) { return; }
    inFlight = true;
    fetch(url, { cache: "no-store", credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        // A redirect to the log-in page (session ended) answers HTML: that is a failure too.
        var kind = r.headers.get("Content-Type") || "";
        if (!r.ok || kind.indexOf("application/json") !== 0) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (data) { lastOk = Date.now(); render(data); })
      .catch(function () { /* the stale warning shows after three missed polls */ })
      .finally(function () { inFlight = false; tick(); schedule(); });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { clearTimeout(timer); timer = null; return; }
    // Back on screen: the time away is not a failure; fetch at once.
    lastOk = Math.max(lastOk, Date.now() - pollMs);
    poll();
  });
  setInterval(tick, 1000);
  tick();
  schedule();
}());
