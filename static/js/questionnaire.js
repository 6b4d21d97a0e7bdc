/* Progressive enhancement for the patient questionnaire. Every page works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Errors, or a notice after an expired page: move focus there so it is read out first.
  var first = document.getElementById("error-summary") || document.querySelector("[data-focus-on-load]");
  if (first) {
    first.focus();
  }

  // Body diagram: a tap on a region toggles its real checkbox; the checkboxes repaint the picture.
  document.querySelectorAll("svg.body-diagram.is-interactive").forEach(function (svg) {
    var form = svg.closest("form");
    var box = function (code) {
      return form.querySelector('input[type="checkbox"][value="' + code + '"][name="pain_areas"]');
    };
    var paint = function () {
      svg.querySelectorAll(".region").forEach(function (region) {
        var input = box(region.getAttribute("data-area"));
        region.classList.toggle("is-selected", Boolean(input && input.checked));
      });
    };
    svg.addEventListener("click", function (event) {
      var region = event.target.closest(".region");
      var input = region && box(region.getAttribute("data-area"));
      if (input) {
        input.checked = !input.checked;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "pain_areas") {
        paint();
      }
    });
    paint();
  });

  // A follow-up question shows only after the answer it depends on ("key=code").
  document.querySelectorAll("[data-shown-if]").forEach(function (block) {
    var rule = block.getAttribute("data-shown-if").split("=");
    var form = block.closest("form");
    var update = function () {
      var chosen = form.querySelector('input[name="' + rule[0] + '"]:checked');
      block.hidden = !(chosen && chosen.value === rule[1]);
    };
    form.addEventListener("change", function (event) {
      if (event.target.name === rule[0]) {
        update();
      }
    });
    update();
  });

  // Live character count; announced politely once typing pauses.
  document.querySelectorAll(".character-count").forEach(function (wrap) {
    var limit = parseInt(wrap.getAttribute("data-limit"), 10);
    var area = wrap.querySelector("textarea");
    var message = wrap.querySelector(".count-message");
    var timer = null;
    var count = function () {
      var left = limit - Array.from(area.value).length;
      var n = Math.abs(left);
      var name = (left >= 0 ? "data-left" : "data-over") + (n === 1 ? "-one" : "");
      var number = n.toLocaleString(document.documentElement.lang); // 1,968 or 1968, as the page's language writes it
      message.textContent = message.getAttribute(name).replace("{n}", number);
      message.classList.toggle("is-over", left < 0);
    };
    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(count, 250);
    });
    count();
  });

  // Print button on the confirmation page.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
