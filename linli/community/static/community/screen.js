// Publicity screen (三联屏): rotates the panels, keeps a clock, and redraws the figures from
// the JSON endpoint every minute without reloading the page; flags data that stopped updating.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  var t = root.dataset;
  var panels = Array.prototype.slice.call(root.querySelectorAll(".panel"));
  var current = 0;
  var lastOk = Date.now();

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function row(a, b, c) {
    var li = el("li");
    li.appendChild(el("b", a));
    li.appendChild(el("span", b));
    li.appendChild(el("small", c));
    return li;
  }

  function fill(id, items, make) {
    var list = document.getElementById(id);
    if (!list) { return; }
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", t.none)); return; }
    items.forEach(function (item) { list.appendChild(make(item)); });
  }

  function render(data) {
    fill("p-network", data.network, function (p) { return row(p.name, p.address, p.hours); });
    fill("p-today", data.today, function (e) {
      return row(e.time + " " + e.title, e.place + (e.partner ? " · " + e.partner : ""), t.left + " " + e.left);
    });
    fill("p-evening", data.evening, function (e) { return row(e.title, e.partner, t.left + " " + e.left); });
    fill("p-teams", data.teams, function (x) { return row(x.name, x.members + " " + t.members, x.hours + " " + t.hours); });
    fill("p-projects", data.projects, function (p) { return row(p.title, p.place + " · " + p.status, p.done + "/" + p.total); });
    document.getElementById("f-volunteers").textContent = data.figures.volunteers;
    document.getElementById("f-hours").textContent = data.figures.volunteer_hours;
    document.getElementById("f-attended").textContent = data.figures.attended_this_month;
    var updated = document.getElementById("updated");
    updated.textContent = updated.textContent.replace(/\d\d:\d\d$/, data.updated);
  }

  function poll() {
    fetch(t.url, { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { lastOk = Date.now(); render(data); })
      .catch(function () { /* keep showing the last data; the stale flag tells staff */ });
  }

  function rotate() {
    panels[current].hidden = true;
    current = (current + 1) % panels.length;
    panels[current].hidden = false;
  }

  function tick() {
    // The street's time, whatever zone the TV was set up in.
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("zh-CN", {
      timeZone: t.tz, hour: "2-digit", minute: "2-digit", hour12: false
    });
    document.getElementById("stale").hidden = Date.now() - lastOk < 3 * Number(t.poll);
  }

  setInterval(rotate, Number(t.rotate));
  setInterval(poll, Number(t.poll));
  setInterval(tick, 1000);
  tick();
}());
