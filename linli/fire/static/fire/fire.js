// Print buttons (no inline handlers under the CSP).
document.querySelectorAll("[data-print]").forEach(function (el) {
  el.addEventListener("click", function (event) {
    event.preventDefault();
    window.print();
  });
});
