// Warn a signed-in clinician before the idle sign-out and let them stay (WCAG 2.2.1). While
// the warning is open, its clock counts down each second; that clock is hidden from screen
// readers, which are told the time left only when the warning opens, at one minute and at
// 30 seconds (a polite live region), so that they are not interrupted every second.
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box) { return; }
  var idle = Number(box.dataset.idleSeconds) * 1000;
  var warn = Number(box.dataset.warnSeconds) * 1000;
  var stay = document.getElementById("idle-stay");
  var clock = document.getElementById("idle-clock");
  var said = document.getElementById("idle-text");
  var opening = said.textContent;
  // What the live region says once this many seconds or fewer are left.
  var moments = [[30, said.dataset.seconds], [60, said.dataset.minute]];
  var warnTimer, endTimer, ticker, deadline, opener, lastSaid;

  function start() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(ticker);
    deadline = Date.now() + idle;
    warnTimer = setTimeout(show, Math.max(idle - warn, 0));
    // Just past the server's limit, reload: the server signs out and shows the sign-in page.
    endTimer = setTimeout(function () { window.location.reload(); }, idle + 1000);
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function tick() {
    var left = secondsLeft();
    var seconds = left % 60;
    clock.textContent = Math.floor(left / 60) + ":" + (seconds < 10 ? "0" : "") + seconds;
    for (var i = 0; i < moments.length; i += 1) {
      if (left <= moments[i][0]) {
        if (lastSaid !== moments[i][1]) {
          lastSaid = moments[i][1];
          said.textContent = lastSaid;
        }
        break;
      }
    }
  }

  function show() {
    opener = document.activeElement;
    said.textContent = lastSaid = opening;
    tick();
    ticker = setInterval(tick, 1000);
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
