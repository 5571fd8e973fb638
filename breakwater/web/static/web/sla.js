// SLA countdowns: every .due-countdown[data-due] shows the time left until its response is
// due (or how long it is overdue) and turns red once overdue. Rows that arrive later (live
// refresh) are picked up on the next tick, so no re-binding is needed.
(function () {
  "use strict";

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) return d + " d " + h + " h";
    if (h > 0) return h + " h " + String(m).padStart(2, "0") + " min";
    return m + " min " + String(sec).padStart(2, "0") + " s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".due-countdown[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      var overdue = left <= 0;
      el.textContent = (overdue ? el.dataset.over : el.dataset.in).replace("%s", span(left));
      el.classList.toggle("overdue", overdue);
      el.classList.toggle("soon", !overdue && left < 30 * 60 * 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
  });
})();
