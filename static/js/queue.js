// Tell a clinician with the queue open how many urgent questionnaires came in since it was
// loaded. The poll does not count as activity: the idle sign-out still happens.
(function () {
  "use strict";
  var box = document.getElementById("urgent-live");
  if (!box || !window.fetch) { return; }
  var every = Number(box.dataset.pollSeconds) * 1000;
  var timer;

  function show(count) {
    var text = count === 1
      ? "1 new urgent submission since this page was loaded. "
      : count + " new urgent submissions since this page was loaded. ";
    var link = document.createElement("a");
    link.href = box.dataset.reloadUrl;
    link.textContent = "Reload the queue";
    box.replaceChildren(document.createTextNode(text), link);
    box.classList.add("urgent-live-on");
  }

  function poll() {
    fetch(box.dataset.countUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      // Signed out (401): stop; the next page load shows why.
      if (response.status === 401) { return null; }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json().then(function (data) {
        if (data.count > 0) { show(data.count); }
        return true;
      });
    }).then(function (goOn) {
      if (goOn) { timer = setTimeout(poll, every); }
    }).catch(function () {
      // A dropped connection or a server hiccup: try again at the next interval.
      timer = setTimeout(poll, every);
    });
  }

  timer = setTimeout(poll, every);
}());
