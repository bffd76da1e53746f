// Search boxes for city-size choices (linli.core.widgets.SearchSelect): typing asks the server
// for the matches of the account's reach and lists them below the box (ARIA combobox:
// ArrowDown/ArrowUp move, Enter chooses, Escape closes). The box keeps the chosen object's id,
// so without this script it is a plain text field taking the id or a committee's code.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[data-search]");
  Array.prototype.forEach.call(boxes, function (input, n) {
    var list = document.createElement("ul");
    list.id = (input.id || "search-" + n) + "-options";
    list.className = "search-select-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", list);
    var current = document.querySelector('.search-select-current[data-for="' + input.id + '"]');
    var active = -1;
    var timer = null;
    var asked = 0;

    function options() { return list.querySelectorAll("[role=option]"); }
    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var all = options();
      if (!all.length) { return; }
      active = (i + all.length) % all.length;
      Array.prototype.forEach.call(all, function (li, j) {
        li.setAttribute("aria-selected", j === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
    }
    function choose(li) {
      input.value = li.getAttribute("data-id");
      if (current) { current.textContent = li.textContent; }
      close();
    }
    function show(results) {
      list.textContent = "";
      results.forEach(function (row, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-id", String(row.id));
        li.textContent = row.label + " (" + row.id + ")";
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(li); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      active = -1;
    }
    function search() {
      var text = input.value.trim();
      if (!text) { close(); return; }
      var mine = ++asked;
      var url = input.getAttribute("data-search") + "&q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) { if (mine === asked) { show(body.results || []); } })
        .catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      if (current) { current.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { search(); return; }
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  });
})();
