// The letter's Print button: shown only when this script runs (without it, the browser's own
// Print command does the same).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
