// Warn a signed-in clinician before the idle sign-out and let them stay (WCAG 2.2.1).
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box) { return; }
  var idle = Number(box.dataset.idleSeconds) * 1000;
  var warn = Number(box.dataset.warnSeconds) * 1000;
  var stay = document.getElementById("idle-stay");
  var warnTimer, endTimer, opener;

  function start() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(show, Math.max(idle - warn, 0));
    // Just past the server's limit, reload: the server signs out and shows the sign-in page.
    endTimer = setTimeout(function () { window.location.reload(); }, idle + 1000);
  }

  function show() {
    opener = document.activeElement;
    box.hidden = false;
    stay.focus();
  }

  stay.addEventListener("click", function () {
    fetch(box.dataset.extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": box.dataset.csrf }
    }).then(function (response) {
      if (response.ok) {
        box.hidden = true;
        if (opener && opener.focus) { opener.focus(); }
        start();
      } else {
        window.location.assign(box.dataset.loginUrl);
      }
    });
  });

  start();
}());
