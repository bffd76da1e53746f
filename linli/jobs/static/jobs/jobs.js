// Live progress of background jobs: poll the state of the jobs still running and update their
// rows in place (no reload while they run, so nothing the user is doing is lost). When one
// ends, reload once so the page shows what it produced (a download, a retry button) — unless
// the user is typing in a form, in which case the new state is simply shown.
(function () {
  "use strict";
  var box = document.querySelector("[data-jobs-status]");
  if (!box || !box.dataset.active) return;
  var ids = box.dataset.active.split(",").filter(Boolean);
  var url = box.dataset.jobsStatus;
  function tick() {
    var q = ids.map(function (i) { return "id=" + encodeURIComponent(i); }).join("&");
    fetch(url + "?" + q, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var ended = false;
        data.jobs.forEach(function (job) {
          var row = document.getElementById("job-" + job.id);
          if (!row) return;
          row.querySelector("progress").value = job.percent;
          row.querySelector(".job-count").textContent = job.done + " / " + job.total;
          var state = row.querySelector(".job-state");
          state.textContent = job.state_label;
          state.className = "job-state state-" + job.state;
          if (job.state !== "queued" && job.state !== "running") ended = true;
        });
        if (ended && !document.querySelector("form:focus-within")) window.location.reload();
        else if (!ended) window.setTimeout(tick, 2000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1500);
})();
