// The reply box: saved replies by typing "/", live guideline checks while typing, and a
// character counter that counts as the network does. The server checks again before sending.
// On the approval queue: refresh when something changes.
"use strict";

(function () {
  const $ = (sel, root = document) => root.querySelector(sel);
  const DEBOUNCE_MS = 350;
  const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter() : null;
  // Graphemes, as the server counts by default ("👍🏽" is one).
  const graphemes = (s) => (segmenter ? Array.from(segmenter.segment(s)).length : Array.from(s).length);

  // The server's offsets count code points; a textarea counts UTF-16 units.
  function toUnits(text, codePoints) {
    let units = 0;
    let n = 0;
    for (const ch of text) {
      if (n >= codePoints) break;
      units += ch.length;
      n += 1;
    }
    return units;
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function csrfToken() {
    const input = $("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // ---- Counter and live checks --------------------------------------------------------------

  function setupChecks(form, box) {
    const counter = $("#reply-counter");
    const list = $("#composer-checks");
    const verdict = $("#composer-verdict");
    const highlights = $("#composer-highlights");
    const limit = Number(form.dataset.limit) || null;
    let latest = 0;

    function showCount(length) {
      counter.textContent = limit ? `${length} / ${limit}` : String(length);
      counter.classList.toggle("over", Boolean(limit && length > limit));
      counter.title = list.dataset.limitLabel || "";
    }

    function useSuggestion(check) {
      const start = toUnits(box.value, check.start);
      const end = toUnits(box.value, check.end);
      box.setRangeText(check.suggestion, start, end, "end");
      box.focus();
      box.dispatchEvent(new Event("input"));
    }

    function select(check) {
      const start = toUnits(box.value, check.start);
      box.focus();
      box.setSelectionRange(start, toUnits(box.value, check.end));
    }

    // Marks behind the text: a mirror of the textarea with the found ranges highlighted.
    function highlight(checks, text) {
      if (!highlights) return;
      highlights.innerHTML = "";
      const chars = Array.from(text);
      let at = 0;
      const spans = checks.filter((c) => c.end > c.start).sort((a, b) => a.start - b.start);
      for (const check of spans) {
        if (check.start < at) continue; // overlapping finds: the first one is marked
        highlights.append(chars.slice(at, check.start).join(""));
        const mark = document.createElement("mark");
        mark.className = `sev-${check.severity}`;
        mark.textContent = chars.slice(check.start, check.end).join("");
        highlights.append(mark);
        at = check.end;
      }
      highlights.append(`${chars.slice(at).join("")}\n`);
      highlights.scrollTop = box.scrollTop;
    }

    function show(data, text) {
      showCount(data.length);
      highlight(data.checks, text);
      list.innerHTML = "";
      for (const check of data.checks) {
        const li = document.createElement("li");
        li.className = `check kind-${check.kind} sev-${check.severity}`;
        const message = document.createElement("span");
        message.textContent = check.message;
        li.append(message);
        if (check.end > check.start) {
          const found = document.createElement("button");
          found.type = "button";
          found.className = "link excerpt";
          found.textContent = `“${Array.from(text).slice(check.start, check.end).join("")}”`;
          found.addEventListener("click", () => select(check));
          li.prepend(found, " ");
          if (check.suggestion) {
            const use = document.createElement("button");
            use.type = "button";
            use.className = "use";
            use.textContent = `${list.dataset.use || "Use"} “${check.suggestion}”`;
            use.addEventListener("click", () => useSuggestion(check));
            li.append(" ", use);
          }
        }
        list.append(li);
      }
      const says = verdict.dataset[data.verdict];
      verdict.hidden = !says;
      verdict.textContent = says || "";
      verdict.className = `verdict verdict-${data.verdict}`;
      form.dataset.verdict = data.verdict;
    }

    const check = debounce(async () => {
      const text = box.value;
      const ticket = ++latest;
      if (!text.trim()) { show({ checks: [], verdict: "ok", length: 0 }, text); return; }
      const response = await fetch(form.dataset.checksUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
        body: new URLSearchParams({ text }),
      }).catch(() => null);
      if (!response || !response.ok || ticket !== latest) return;
      show(await response.json(), text);
    }, DEBOUNCE_MS);

    box.addEventListener("input", () => { showCount(graphemes(box.value)); highlight([], box.value); check(); });
    box.addEventListener("scroll", () => { if (highlights) highlights.scrollTop = box.scrollTop; });
    showCount(graphemes(box.value));
  }

  // ---- Saved replies: "/" opens a picker --------------------------------------------------

  function setupPicker(form, box) {
    const picker = $("#composer-picker");
    let items = [];
    let active = 0;
    let slash = null; // where the "/" is, while the picker is open

    // "/" at the start of a word, then what the agent typed after it.
    function query() {
      const before = box.value.slice(0, box.selectionStart);
      const m = before.match(/(^|\s)\/([\p{L}\p{N}_-]*)$/u);
      return m ? { start: before.length - m[2].length - 1, q: m[2] } : null;
    }

    function close() { picker.hidden = true; slash = null; items = []; }

    function render() {
      picker.innerHTML = "";
      items.forEach((item, i) => {
        const option = document.createElement("div");
        option.className = `option${i === active ? " active" : ""}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", String(i === active));
        const name = document.createElement("strong");
        name.textContent = item.name;
        const shortcut = document.createElement("code");
        shortcut.textContent = `/${item.shortcut}`;
        const preview = document.createElement("span");
        preview.className = "preview";
        preview.textContent = item.text;
        option.append(name, " ", shortcut, preview);
        option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        picker.append(option);
      });
      picker.hidden = items.length === 0;
    }

    function choose(i) {
      const item = items[i];
      if (!item || slash === null) return;
      box.setRangeText(item.text, slash, box.selectionStart, "end");
      close();
      box.focus();
      box.dispatchEvent(new Event("input"));
    }

    const search = debounce(async (q) => {
      const response = await fetch(`${form.dataset.savedUrl}?${new URLSearchParams({ q })}`, {
        headers: { "X-Requested-With": "fetch" },
      }).catch(() => null);
      if (!response || !response.ok || slash === null) return;
      items = (await response.json()).items;
      active = 0;
      render();
    }, 120);

    box.addEventListener("input", () => {
      const found = query();
      if (!found) { close(); return; }
      slash = found.start;
      search(found.q);
    });
    box.addEventListener("keydown", (event) => {
      if (picker.hidden) return;
      const keys = {
        ArrowDown: () => { active = (active + 1) % items.length; render(); },
        ArrowUp: () => { active = (active - 1 + items.length) % items.length; render(); },
        Enter: () => choose(active),
        Tab: () => choose(active),
        Escape: () => close(),
      };
      if (keys[event.key]) {
        event.preventDefault();
        event.stopPropagation(); // Escape must not leave the reply box too
        keys[event.key]();
      }
    });
    box.addEventListener("blur", () => setTimeout(close, 150));
  }

  // ---- The approval queue: live ----------------------------------------------------------

  function setupQueue(rows) {
    const refresh = debounce(async () => {
      if (rows.contains(document.activeElement)) return; // someone is editing a reply here
      const params = new URLSearchParams({ status: rows.dataset.status, partial: "rows" });
      const response = await fetch(`${location.pathname}?${params}`, { headers: { "X-Requested-With": "fetch" } });
      if (response.ok) rows.innerHTML = await response.text();
    }, 300);
    document.addEventListener("bw:conversations", refresh);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = $("#reply-form");
    const box = $("#reply-text");
    if (form && box && form.dataset.checksUrl) {
      setupChecks(form, box);
      setupPicker(form, box);
    }
    const rows = $("#approval-rows");
    if (rows) setupQueue(rows);
  });
})();
