// Kiosk: the ID reader types 18 characters; keep the field focused so a swipe always lands.
(function () {
  "use strict";
  var field = document.getElementById("id_number");
  if (!field) { return; }
  // Enter from the reader must not submit without a chosen service.
  field.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); }
  });
  document.addEventListener("click", function (ev) {
    // Taps outside a control bring the focus back; the search box and its buttons keep it.
    if (ev.target.closest && ev.target.closest("button, a, input, .kiosk-search")) { return; }
    field.focus();
  });
  field.addEventListener("input", function () {
    field.classList.toggle("read", field.value.length === 18);
  });
}());
