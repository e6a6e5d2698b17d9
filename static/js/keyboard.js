// Follicle: fewer key presses for keyboard and screen-reader users (issue 14). Included by the
// pages that use it (the CSP allows no inline script); each part is opt-in by a data attribute,
// and every page works the same without it.

(function () {
  function usable(element) {
    return !element.disabled && element.tabIndex >= 0 && element.getClientRects().length > 0;
  }

  // ---- Where the focus starts ----
  // A page marks what a keyboard user starts with: `data-autofocus` on an element (a result's
  // heading), or `data-autofocus-form` on a form's container (its first empty required field,
  // else its first field). Nothing moves when the focus is already somewhere: a form that came
  // back with errors has it on its error summary (app.js). The main content itself does not
  // count: it has the focus when the address ends in the skip link's #main, which a redirect
  // keeps from the page before.
  function startingPoint() {
    const target = document.querySelector("[data-autofocus]");
    if (target) return target;
    const container = document.querySelector("[data-autofocus-form]");
    if (!container) return null;
    const fields = Array.from(container.querySelectorAll("input:not([type=hidden]), select, textarea"))
      .filter(usable);
    const empty = fields.find(function (field) {
      return field.required && !field.value && field.type !== "radio" && field.type !== "checkbox";
    });
    return empty || fields[0] || null;
  }

  function start() {
    if (document.querySelector(".error-summary")) return;
    const focused = document.activeElement;
    if (focused && focused !== document.body && focused.id !== "main") return;
    const target = startingPoint();
    if (target) target.focus();
  }

  document.addEventListener("DOMContentLoaded", start);
  // Again once loaded: the browser moves the focus to #main after DOMContentLoaded.
  window.addEventListener("load", start);
})();

(function () {
  // ---- Answer keys on the questionnaire's radio groups ----
  // Native radio groups take Tab, then arrow keys (each arrow selects). Inside a form marked
  // `data-answer-keys`, a question's answers also have keys: the first letter of each answer
  // when those differ (Y yes, N no), else their numbers (1 to 4). The key chooses that answer
  // and moves the focus to the next field, as Tab would. It works only while the focus is in
  // that question (WCAG 2.1.4), chooses nothing by itself, and each question says its keys
  // (shown beside the answers and read as the answers' description).
  const FOCUSABLE =
    "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";

  function labelText(radio) {
    const label = radio.labels && radio.labels[0];
    return label ? label.textContent.trim() : radio.value;
  }

  function keysFor(radios) {
    const letters = radios.map(function (radio) {
      return labelText(radio).charAt(0).toLowerCase();
    });
    const distinct = new Set(letters).size === letters.length && letters.every(function (letter) {
      return /^[a-z]$/.test(letter);
    });
    if (distinct) return letters;
    return radios.map(function (_, index) {
      return String(index + 1);
    });
  }

  function describe(keys) {
    const shown = keys.map(function (key) {
      return key.toUpperCase();
    });
    if (/^[0-9]$/.test(keys[0])) return "Keys " + shown[0] + " to " + shown[shown.length - 1];
    if (shown.length === 2) return "Keys " + shown[0] + " or " + shown[1];
    return "Keys " + shown.slice(0, -1).join(", ") + " or " + shown[shown.length - 1];
  }

  function groups(form) {
    const byName = new Map();
    form.querySelectorAll("input[type=radio]").forEach(function (radio) {
      if (!byName.has(radio.name)) byName.set(radio.name, []);
      byName.get(radio.name).push(radio);
    });
    return byName;
  }

  function next(form, radio) {
    // The field after this question, as Tab would find it: a radio group is one stop (its
    // chosen answer, else its first).
    const all = Array.from(form.querySelectorAll(FOCUSABLE)).filter(function (element) {
      return !element.disabled && element.tabIndex >= 0 && element.getClientRects().length > 0;
    });
    let last = -1;
    all.forEach(function (element, index) {
      if (element.type === "radio" && element.name === radio.name) last = index;
    });
    const following = all[last + 1];
    if (!following || following.type !== "radio") return following || null;
    const group = all.filter(function (element) {
      return element.type === "radio" && element.name === following.name;
    });
    return group.find(function (element) { return element.checked; }) || group[0];
  }

  function enhance(form) {
    const questions = groups(form);
    const keysByName = new Map();
    questions.forEach(function (radios, name) {
      const keys = keysFor(radios);
      keysByName.set(name, keys);
      const hint = document.createElement("span");
      hint.id = "answer-keys-" + name;
      hint.className = "form-text d-inline-block ms-1";
      hint.textContent = describe(keys);
      const wrapper = radios[radios.length - 1].closest(".form-check");
      (wrapper || radios[radios.length - 1]).after(hint);
      radios.forEach(function (radio) {
        const described = radio.getAttribute("aria-describedby");
        radio.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
      });
    });
    form.querySelectorAll("[data-answer-keys-note]").forEach(function (note) {
      note.hidden = false;
    });

    form.addEventListener("keydown", function (event) {
      const radio = event.target;
      if (!(radio instanceof HTMLInputElement) || radio.type !== "radio") return;
      if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
      const keys = keysByName.get(radio.name);
      if (!keys) return;
      const index = keys.indexOf(event.key.toLowerCase());
      if (index < 0) return;
      event.preventDefault();
      // A click, as a pointer would choose it: the change and input events follow.
      const chosen = questions.get(radio.name)[index];
      if (!chosen.checked) chosen.click();
      const target = next(form, chosen);
      if (target) target.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-answer-keys]").forEach(enhance);
  });
})();

(function () {
  // ---- Toolbars: one tab stop, arrow keys inside (WAI-ARIA toolbar pattern) ----
  // A `role=toolbar` marked `data-roving` is one stop in the Tab order; Left and Right move
  // between its links and buttons, Home and End go to the first and the last.
  function items(toolbar) {
    return Array.from(toolbar.querySelectorAll("a[href], button")).filter(function (item) {
      return !item.disabled && item.getClientRects().length > 0;
    });
  }

  function makeCurrent(toolbar, current) {
    items(toolbar).forEach(function (item) {
      item.tabIndex = item === current ? 0 : -1;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[role=toolbar][data-roving]").forEach(function (toolbar) {
      const all = items(toolbar);
      if (all.length === 0) return;
      makeCurrent(toolbar, all[0]);
      toolbar.addEventListener("focusin", function (event) {
        if (all.includes(event.target)) makeCurrent(toolbar, event.target);
      });
      toolbar.addEventListener("keydown", function (event) {
        const list = items(toolbar);
        const index = list.indexOf(event.target);
        if (index < 0 || event.ctrlKey || event.metaKey || event.altKey) return;
        let target = null;
        if (event.key === "ArrowRight") target = list[(index + 1) % list.length];
        else if (event.key === "ArrowLeft") target = list[(index - 1 + list.length) % list.length];
        else if (event.key === "Home") target = list[0];
        else if (event.key === "End") target = list[list.length - 1];
        if (!target) return;
        event.preventDefault();
        makeCurrent(toolbar, target);
        target.focus();
      });
    });
  });
})();
