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
