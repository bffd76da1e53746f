// The window's item picker: typing a name, alias, code or pinyin initials (jzz → 居住证办理)
// narrows the list and selects the first match. Without JavaScript the full list still works.
(function () {
  "use strict";
  var input = document.getElementById("item-filter");
  if (!input) { return; }
  var select = document.getElementById(input.dataset.filter);
  var count = document.getElementById("item-filter-count");
  if (!select) { return; }
  var options = Array.prototype.slice.call(select.options);
  input.addEventListener("input", function () {
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var first = null;
    var shown = 0;
    options.forEach(function (option) {
      var text = (option.dataset.search || option.text).toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      option.hidden = !match;
      option.disabled = !match;
      if (match) { shown += 1; if (first === null) { first = option; } }
    });
    var selected = select.selectedOptions[0];
    if (first !== null && (!selected || selected.hidden)) { first.selected = true; }
    if (count) { count.textContent = words.length ? count.dataset.template.replace("{n}", shown) : ""; }
  });
  // Enter in the search box must not submit the case form with whatever is selected.
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); select.focus(); } });
}());
