// newstrace reader keys: j/k next/previous item, o open, s star, m read/unread,
// ? help. Every action is also a plain form, so nothing here is required;
// this file only saves the page reload. The CSP allows script-src 'self'
// only, so there is no inline script or handler anywhere.
"use strict";
(function () {
  let current = -1;

  const items = () => Array.from(document.querySelectorAll("[data-item]"));

  function select(i) {
    const list = items();
    if (list.length === 0) return;
    current = Math.max(0, Math.min(i, list.length - 1));
    list.forEach((el, n) => el.classList.toggle("current", n === current));
    list[current].scrollIntoView({ block: "nearest" });
  }

  // target is the selected item, or the only one (the reader view).
  function target() {
    const list = items();
    if (current >= 0 && list[current]) return list[current];
    return list.length === 1 ? list[0] : null;
  }

  // toggle flips read or star through the JSON API, then the button; on any
  // failure the form is submitted the ordinary way.
  async function toggle(button) {
    const item = button.closest("[data-doc-id]");
    const action = button.value; // read | unread | star | unstar
    try {
      const resp = await fetch("/api/v1/articles/" + item.dataset.docId + "/" + action, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
        credentials: "same-origin",
      });
      if (!resp.ok) throw new Error(resp.status);
      const st = await resp.json();
      render(button.closest(".reader-state"), st);
    } catch (e) {
      button.form.requestSubmit(button);
    }
  }

  function render(box, st) {
    const read = box.querySelector(".js-read");
    read.value = st.read ? "unread" : "read";
    read.textContent = st.read ? "Read" : "Unread";
    read.setAttribute("aria-pressed", String(st.read));
    const star = box.querySelector(".js-star");
    star.value = st.starred ? "unstar" : "star";
    star.textContent = st.starred ? "★ Starred" : "☆ Star";
    star.setAttribute("aria-pressed", String(st.starred));
    const item = box.closest("[data-item]");
    if (item && item.hasAttribute("data-read")) item.dataset.read = String(st.read);
  }

  function press(selector) {
    const item = target();
    const button = item && item.querySelector(selector);
    if (button) toggle(button);
  }

  function help(show) {
    const box = document.getElementById("shortcuts");
    if (box) box.hidden = show === undefined ? !box.hidden : !show;
  }

  document.addEventListener("submit", (ev) => {
    const button = ev.submitter;
    if (button && (button.classList.contains("js-read") || button.classList.contains("js-star"))) {
      ev.preventDefault();
      toggle(button);
    }
  });

  document.addEventListener("click", (ev) => {
    if (ev.target.closest(".js-close-shortcuts")) help(false);
  });

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable]")) return;
    switch (ev.key) {
      case "j": select(current + 1); break;
      case "k": select(current < 0 ? 0 : current - 1); break;
      case "o": {
        const item = target();
        const link = item && item.querySelector(".js-open");
        if (link) window.location.assign(link.href);
        break;
      }
      case "s": press(".js-star"); break;
      case "m": press(".js-read"); break;
      case "?": help(); break;
      case "Escape": help(false); break;
      default: return;
    }
    ev.preventDefault();
  });
})();
