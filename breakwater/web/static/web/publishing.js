// The publishing calendar: drag a post to another day to reschedule it (same local time).
// Without the script, each post's page has a form that does the same.
(function () {
  "use strict";
  const table = document.getElementById("calendar");
  if (!table) return;
  const status = document.getElementById("cal-status");
  let dragged = null;

  table.addEventListener("dragstart", (event) => {
    const post = event.target.closest(".cal-post");
    if (!post) return;
    dragged = post;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", post.dataset.post);
  });
  table.addEventListener("dragover", (event) => {
    const day = event.target.closest(".cal-day");
    if (!day || !dragged) return;
    event.preventDefault();
    table.querySelectorAll(".drop-target").forEach((d) => d !== day && d.classList.remove("drop-target"));
    day.classList.add("drop-target");
  });
  table.addEventListener("dragleave", (event) => {
    const day = event.target.closest(".cal-day");
    if (day && !day.contains(event.relatedTarget)) day.classList.remove("drop-target");
  });
  table.addEventListener("drop", async (event) => {
    const day = event.target.closest(".cal-day");
    if (!day || !dragged) return;
    event.preventDefault();
    day.classList.remove("drop-target");
    const post = dragged;
    dragged = null;
    if (post.closest(".cal-day") === day) return;
    const body = new URLSearchParams({ scheduled_at: `${day.dataset.date}T${post.dataset.time}` });
    const response = await fetch(post.dataset.url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": table.dataset.csrf, Accept: "application/json" },
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      status.textContent = data.error || response.statusText;
      return;
    }
    day.appendChild(post);
    status.textContent = "";
    // Cadence flags depend on where every post is: load the page again to show them.
    window.location.reload();
  });
})();

// The composer's live preview: each checked channel as its network will show the post, with
// the length as that network counts it, the image count and the checks (server-side: the one
// checker replies use). Without the script, the saved post's page shows the same.
(function () {
  "use strict";
  const form = document.getElementById("post-form");
  const box = document.getElementById("live-preview");
  if (!form || !box) return;
  const list = box.querySelector(".previews");
  let timer = null;

  function line(className, text) {
    const p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function show(previews) {
    list.replaceChildren();
    for (const p of previews) {
      const item = document.createElement("div");
      item.className = "preview" + (p.ok ? "" : " has-problems");
      const head = document.createElement("h3");
      head.textContent = `${p.name} · ${p.network}`;
      const pre = document.createElement("pre");
      pre.className = "preview-text";
      pre.textContent = p.text;
      const limit = p.limit ? ` / ${p.limit}` : "";
      item.append(head, pre, line("muted counts", `${p.length}${limit} · ${p.images} / ${p.max_images} · ${p.links} · ${p.mentions}`));
      for (const x of p.problems) item.append(line("error", x.message));
      for (const c of p.checks) item.append(line(`check sev-${c.severity}`, c.message));
      list.append(item);
    }
    box.hidden = previews.length === 0;
  }

  async function refresh() {
    const response = await fetch(form.dataset.previewUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const data = await response.json().catch(() => ({}));
    if (response.ok) show(data.previews || []);
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 100);
  });
  refresh();
})();
