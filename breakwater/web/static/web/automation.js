// Rules: confirm before deleting; in the editor, run the dry run as the conditions change.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  var form = document.getElementById("rule-form");
  var result = document.getElementById("dry-run-result");
  if (!form || !result) return;
  var timer = null;
  var running = null;

  function dryRun() {
    var data = new FormData(form);
    data.set("do", "try");
    if (running) running.abort();
    running = new AbortController();
    result.classList.add("loading");
    fetch(form.action || window.location.href, {
      method: "POST", body: data, signal: running.signal,
      headers: {"X-Requested-With": "fetch"}, credentials: "same-origin",
    }).then(function (response) { return response.text(); })
      .then(function (html) { result.innerHTML = html; result.classList.remove("loading"); })
      .catch(function (error) { if (error.name !== "AbortError") result.classList.remove("loading"); });
  }

  function isCondition(element) { return element.name && element.name.indexOf("c_") === 0; }

  form.addEventListener("input", function (event) {
    if (!isCondition(event.target)) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(dryRun, 400);
  });
  form.addEventListener("change", function (event) { if (isCondition(event.target)) dryRun(); });
  document.getElementById("dry-run-button").addEventListener("click", function (event) {
    event.preventDefault();
    dryRun();
  });
})();
