// Linli shell behaviour: small, dependency-free, served by Linli itself. Every page loads it,
// the public screens (kiosk, terminal, board, slip, status, survey) too.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Phone menu: the toggle opens and closes it; Escape closes it and returns to the toggle.
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("mainnav");
  if (toggle && nav) {
    var setOpen = function (open) {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () { setOpen(!nav.classList.contains("open")); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Menu groups (<details>): one open at a time; Escape or a click elsewhere closes them.
  var groups = document.querySelectorAll(".navgroup");
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) return;
      groups.forEach(function (other) { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups.forEach(function (group) {
      if (group.open) {
        group.open = false;
        group.querySelector("summary").focus();
      }
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) group.open = false;
    });
  });

  // Confirm before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // After a post: focus the first field in error, else the error summary, else the message the
  // action left — never the top of the page. Filters apply with their button (no change events).
  var invalid = document.querySelector("main [aria-invalid=true]");
  var summary = document.querySelector("main .errors, main .errorlist, main [role=alert]");
  var message = document.getElementById("messages");
  var target = invalid || summary || message;
  var typing = document.activeElement && document.activeElement.matches("input, textarea");
  if (target && !target.hidden && (invalid || !typing)) {
    if (!target.matches("input, select, textarea, button, a[href], [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: false });
  }

  // A screen that returns to its start by itself (the ticket slip) first asks whether the person
  // needs more time, and waits for a touch: it never leaves while someone is reading.
  var body = document.body;
  var back = body.getAttribute("data-idle-return");
  var dialog = document.getElementById("idle-dialog");
  if (back && dialog && typeof dialog.showModal === "function") {
    var seconds = parseInt(body.getAttribute("data-idle-seconds") || "45", 10);
    var timer = null;
    var arm = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { if (!dialog.open) { dialog.showModal(); } }, seconds * 1000);
    };
    document.getElementById("idle-leave").setAttribute("href", back);
    document.getElementById("idle-more").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", arm);
    dialog.addEventListener("cancel", function () { arm(); });
    ["pointerdown", "keydown", "scroll"].forEach(function (name) {
      document.addEventListener(name, function () { if (!dialog.open) { arm(); } }, { passive: true });
    });
    arm();
  }
})();
