// Breakwater's page behaviour: keyboard triage, in-place form posts, live refresh over SSE.
// Every form also works without this file (POST, then redirect).
"use strict";

(function () {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // ---- Inbox list: selection and keyboard ---------------------------------------------
  let selectedId = sessionStorage.getItem("bw-selected");

  function rows() { return $$("#rows .row"); }

  function select(row) {
    rows().forEach((r) => r.classList.toggle("selected", r === row));
    if (row) {
      selectedId = row.dataset.id;
      sessionStorage.setItem("bw-selected", selectedId);
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function selectedRow() {
    return rows().find((r) => r.dataset.id === selectedId) || null;
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const i = all.indexOf(selectedRow());
    select(all[Math.max(0, Math.min(all.length - 1, i + step))] || all[0]);
  }

  function csrfToken() {
    const input = $("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function post(url, fields) {
    const body = new URLSearchParams(fields);
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      body,
    });
    const data = await response.json().catch(() => ({ ok: false, message: response.statusText }));
    if (!data.ok) flash(data.message, true);
    return data.ok;
  }

  function flash(text, isError) {
    let box = $(".flash");
    if (!box) {
      box = document.createElement("div");
      box.className = "flash";
      box.setAttribute("role", "status");
      $("main").before(box);
    }
    box.innerHTML = "";
    const p = document.createElement("p");
    p.className = isError ? "error" : "success";
    p.textContent = text;
    box.append(p);
  }

  function conversationUrl(id, action) {
    return `/c/${id}/${action ? action + "/" : ""}`;
  }

  function currentConversationId() {
    const conv = $(".conversation");
    if (conv) return conv.dataset.id;
    const row = selectedRow();
    return row ? row.dataset.id : null;
  }

  async function act(fields) {
    const id = currentConversationId();
    if (!id) return;
    if (await post(conversationUrl(id, "update"), fields)) {
      if ($(".conversation")) location.reload();
      else refreshList();
    }
  }

  function typing(event) {
    const t = event.target;
    return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && typing(event)) { event.target.blur(); return; }
    if (typing(event) || event.metaKey || event.ctrlKey || event.altKey) return;
    const inList = !!$("#rows");
    const handlers = {
      j: () => inList && move(1),
      k: () => inList && move(-1),
      Enter: () => { const r = selectedRow(); if (inList && r) location.href = r.dataset.url + location.search; },
      e: () => act({ status: "done" }),
      a: () => act({ assign: "me" }),
      "#": () => {
        const input = $("#tag-input");
        if (input) { input.focus(); return; }
        const name = prompt(document.documentElement.lang === "fi" ? "Tagi" : "Tag");
        if (name) act({ add_tag: name });
      },
      r: () => { const box = $("#reply-text"); if (box) box.focus(); },
      x: () => { const r = selectedRow(); if (r) { const c = $("input[type=checkbox]", r); c.checked = !c.checked; updateBulkCount(); } },
      "/": () => { const s = $("#search"); if (s) s.focus(); },
      "?": () => { const h = $("#help"); h.hidden = !h.hidden; },
      u: () => { if ($(".conversation")) $(".back").click(); },
    };
    const handler = handlers[event.key];
    if (handler) { event.preventDefault(); handler(); }
  });

  function updateBulkCount() {
    const n = $$("#rows input[type=checkbox]:checked").length;
    const label = $("#bulk-count");
    if (label) label.textContent = n ? `${n} ✓` : label.dataset.empty || label.textContent;
  }

  document.addEventListener("click", (event) => {
    const row = event.target.closest("#rows .row");
    if (!row || event.target.closest("a, input, button")) return;
    if (row.classList.contains("selected")) location.href = row.dataset.url + location.search;
    else select(row);
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches("#rows input[type=checkbox]")) updateBulkCount();
    if (event.target.closest("#filter-form") && event.target.tagName === "SELECT") event.target.form.submit();
  });

  // ---- Composer: Ctrl+Enter sends (composer.js counts, checks and picks saved replies) ----
  const replyText = $("#reply-text");
  if (replyText) {
    replyText.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) replyText.form.requestSubmit();
    });
  }
  // A double click must not send twice: the idempotency key guards the server, this the button.
  $$("form.composer, form.note-form").forEach((form) => {
    form.addEventListener("submit", () => $$("button", form).forEach((b) => { setTimeout(() => { b.disabled = true; }); }));
  });

  // ---- Collision detection: who else is here, and did someone reply meanwhile -------------
  const presence = (() => {
    const conv = $(".conversation");
    if (!conv) return null;
    const me = conv.dataset.userId;
    const bar = $("#presence");
    const roster = new Map(); // user id -> {name, state, until}
    const csrf = ($("input[name=csrfmiddlewaretoken]") || {}).value || "";
    let lastTyped = 0;
    let state = "viewing";
    const body = (s) => { const f = new FormData(); f.set("state", s); f.set("csrfmiddlewaretoken", csrf); return f; };
    const report = (s) => { state = s; fetch(conv.dataset.presenceUrl, { method: "POST", body: body(s) }).catch(() => {}); };
    function render() {
      const now = Date.now();
      for (const [id, p] of roster) if (p.until < now) roster.delete(id);
      const names = [...roster.values()].map((p) => `${p.name} (${p.state === "typing" ? bar.dataset.typing : bar.dataset.viewing})`);
      $("#presence-names").textContent = names.join(", ");
      bar.hidden = names.length === 0;
      bar.classList.toggle("typing", [...roster.values()].some((p) => p.state === "typing"));
    }
    if (replyText) {
      replyText.addEventListener("input", () => {
        lastTyped = Date.now();
        if (state !== "typing") report("typing");
      });
    }
    setInterval(() => { report(Date.now() - lastTyped < 5000 ? "typing" : "viewing"); render(); }, 10000);
    setInterval(render, 2000);
    window.addEventListener("pagehide", () => navigator.sendBeacon(conv.dataset.presenceUrl, body("left")));
    report("viewing");
    return {
      heard(data) {
        if (String(data.conversation_id) !== conv.dataset.id || String(data.user_id) === me) return;
        const known = roster.has(data.user_id);
        if (data.state === "left") roster.delete(data.user_id);
        else roster.set(data.user_id, { name: data.name, state: data.state, until: Date.now() + 25000 });
        // A newcomer learns about us at once instead of at our next heartbeat.
        if (!known && data.state !== "left") report(state);
        render();
      },
      threadChanged() {
        const seen = Number(($("#reply-form input[name=seen_up_to]") || {}).value || 0);
        const others = $$("#thread .msg.out").filter((m) => Number(m.dataset.id) > seen && m.dataset.sentBy !== me);
        $("#collision-live").hidden = others.length === 0 || !replyText || replyText.value.trim() === "";
      },
    };
  })();

  // ---- Channels: the connect form shows the chosen network's settings -----------------------
  const networkSelect = $("#connect-network");
  if (networkSelect) {
    const show = () => $$("#connect-form .network-fields").forEach((f) => {
      const on = f.dataset.network === networkSelect.value;
      f.hidden = !on;
      f.disabled = !on;
    });
    networkSelect.addEventListener("change", show);
    show();
  }

  // ---- Live updates ------------------------------------------------------------------------
  let refreshTimer = null;

  async function refreshList(newIds = []) {
    const list = $("#rows");
    if (!list) return;
    if (list.dataset.firstPage !== "1") {
      const banner = $("#live-banner");
      banner.hidden = false;
      banner.textContent = document.documentElement.lang === "fi"
        ? "Uusia viestejä: palaa ensimmäiselle sivulle." : "New messages: go back to the first page.";
      return;
    }
    const params = new URLSearchParams(location.search);
    params.set("partial", "rows");
    const response = await fetch(`${location.pathname}?${params}`, { headers: { "X-Requested-With": "fetch" } });
    if (!response.ok) return;
    const checked = new Set($$("#rows input:checked").map((c) => c.value));
    list.innerHTML = await response.text();
    $$("#rows input[type=checkbox]").forEach((c) => { c.checked = checked.has(c.value); });
    rows().forEach((r) => { if (newIds.includes(Number(r.dataset.id))) r.classList.add("fresh"); });
    select(selectedRow());
  }

  async function refreshThread(id) {
    const thread = $("#thread");
    if (!thread) return;
    const response = await fetch(`${conversationUrl(id)}?partial=thread`, { headers: { "X-Requested-With": "fetch" } });
    if (response.ok) thread.innerHTML = await response.text();
    if (presence) presence.threadChanged();
  }

  function onChange(data) {
    document.dispatchEvent(new CustomEvent("bw:conversations", { detail: data }));
    const conv = $(".conversation");
    if (conv) {
      if (data.ids.includes(Number(conv.dataset.id))) refreshThread(conv.dataset.id);
      return;
    }
    clearTimeout(refreshTimer);
    // Bursts (a batch import) become one refresh.
    refreshTimer = setTimeout(() => refreshList(data.ids), 300);
  }

  function connect() {
    const url = document.body.dataset.eventsUrl;
    if (!url || !window.EventSource) return;
    const source = new EventSource(url);
    source.addEventListener("conversations", (event) => onChange(JSON.parse(event.data)));
    source.addEventListener("presence", (event) => { if (presence) presence.heard(JSON.parse(event.data)); });
    source.addEventListener("open", () => document.body.classList.add("live"));
    source.addEventListener("error", () => document.body.classList.remove("live"));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const label = $("#bulk-count");
    if (label) label.dataset.empty = label.textContent;
    if ($("#rows")) select(selectedRow() || rows()[0]);
    connect();
  });
})();
