// The topic form's live preview: while the query is typed, ask the server (the same parser
// and matcher as live listening) which stored mentions it matches, or where it is wrong.
(function () {
  "use strict";

  function setup(form) {
    var query = form.querySelector("#topic-query");
    var error = form.querySelector("#preview-error");
    var pointer = form.querySelector("#preview-pointer");
    var count = form.querySelector("#preview-count");
    var list = form.querySelector("#preview-mentions");
    var strings = document.getElementById("preview-strings").dataset;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var timer = null, seq = 0;

    function show(data, status) {
      list.textContent = "";
      if (status === 422) {
        error.hidden = false;
        error.textContent = data.error + " (" + strings.at.replace("%s", data.position + 1) + ")";
        pointer.hidden = false;
        pointer.textContent = query.value + "\n" + " ".repeat(data.position) + "^";
        count.textContent = "";
        query.setAttribute("aria-invalid", "true");
        return;
      }
      error.hidden = true;
      pointer.hidden = true;
      query.removeAttribute("aria-invalid");
      if (data.error) { error.hidden = false; error.textContent = data.error; return; }
      count.textContent = data.count ? strings.count.replace("%s", data.count) : strings.none;
      data.mentions.forEach(function (m) {
        var li = document.createElement("li");
        var p = document.createElement("p");
        p.textContent = m.text;
        var small = document.createElement("small");
        small.className = "muted";
        small.textContent = (m.author || m.network) + " · " + m.network + " · " + m.created_at.slice(0, 16).replace("T", " ");
        li.appendChild(p);
        li.appendChild(small);
        list.appendChild(li);
      });
    }

    function run() {
      var mine = ++seq;
      if (!query.value.trim()) { show({count: 0, mentions: []}, 200); return; }
      fetch(form.dataset.previewUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        body: JSON.stringify({query: query.value})
      }).then(function (r) {
        return r.json().then(function (data) { if (mine === seq) show(data, r.status); });
      });
    }

    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    if (query.value.trim()) run();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("topic-form");
    if (form) setup(form);
  });
})();
