// Inspector checklist: save a sub-unit's clean/NA choice as soon as it is tapped (draft autosave).
(function () {
  "use strict";
  var form = document.getElementById("statuses");
  if (!form || !window.fetch) { return; }
  var note = document.getElementById("autosave");
  document.querySelectorAll('input[type="radio"][form="statuses"]').forEach(function (input) {
    input.addEventListener("change", function () {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append(input.name, input.value);
      if (note) { note.textContent = note.dataset.saving; }
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Linli-Autosave": "1" }
      })
        .then(function (r) {
          if (note) { note.textContent = r.ok ? note.dataset.saved : note.dataset.failed; }
        })
        .catch(function () { if (note) { note.textContent = note.dataset.failed; } });
    });
  });
})();
