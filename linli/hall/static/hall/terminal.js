// 24-hour terminal: speak the page's prompt (offline clip). Terminals run Chromium with
// --autoplay-policy=no-user-gesture-required; elsewhere the prompt plays on the first touch.
(function () {
  "use strict";
  var body = document.body;
  var prompt = body.dataset.prompt;
  if (!prompt) { return; }
  var audio = new Audio(body.dataset.voiceBase + prompt + ".wav");
  var played = false;
  function play() {
    if (played) { return; }
    audio.play().then(function () { played = true; }).catch(function () { /* wait for a touch */ });
  }
  play();
  document.addEventListener("pointerdown", play, { once: true });
  // Start in the form's first field (the case number, the pick-up code), where the person begins.
  var field = document.querySelector(".kiosk-form [autofocus], .kiosk-form input:not([type=hidden])");
  if (field && !document.activeElement.matches("input, textarea, select")) { field.focus(); }
}());
