// Follicle: a form in progress outlives the idle timeout (issue 14). The fields of the page's
// form marked `data-draft` (the intake, the booking) are kept on the server (core.drafts) as
// they change and when the idle warning shows; back on the page after signing in again, the
// draft is offered: restore or discard. Sending the form ends the draft: the form carries the
// marker field the server looks for. Never kept: passwords, tokens, the CSRF token, and hidden
// fields other than the patient picker's choice (core.drafts drops the first three as well).
(function () {
  const config = document.getElementById("session-config");
  const form = document.querySelector("form[data-draft]");
  const offerTemplate = document.getElementById("draft-offer");
  if (!config || !form || !offerTemplate) return;

  const MARKER = "_form_draft";
  const SAVE_AFTER = 800; // ms after the last keystroke
  const NEVER = /password|token|csrf/i;
  const SKIPPED_TYPES = ["submit", "button", "reset", "image", "file", "password"];
  const path = window.location.pathname;
  const status = document.querySelector("[data-draft-status]");

  let timer = null;
  let dirty = false;
  let offered = null; // the offer on the page, until restored or discarded
  let submitting = false;
  let restoring = false;

  const marker = document.createElement("input");
  marker.type = "hidden";
  marker.name = MARKER;
  marker.value = "1";
  form.append(marker);

  function kept(element) {
    if (!element.name || element.disabled || NEVER.test(element.name) || element.name === MARKER) return false;
    if (SKIPPED_TYPES.indexOf(element.type) >= 0) return false;
    return element.type !== "hidden" || element.matches("[data-picker-value]");
  }

  function pickerLabel(element) {
    const root = element.closest("[data-patient-picker]");
    const name = root && root.querySelector("[data-picker-chosen-name]");
    return name && element.value ? name.textContent.trim() : "";
  }

  // The form as [{name, value, label?}], in the order of its fields.
  function snapshot() {
    const fields = [];
    Array.from(form.elements).forEach(function (element) {
      if (!kept(element)) return;
      if (element.type === "radio" || element.type === "checkbox") {
        if (element.checked) fields.push({ name: element.name, value: element.value });
      } else if (element.type === "select-multiple") {
        Array.from(element.selectedOptions).forEach(function (option) {
          fields.push({ name: element.name, value: option.value });
        });
      } else {
        const field = { name: element.name, value: element.value };
        const label = element.matches("[data-picker-value]") ? pickerLabel(element) : "";
        if (label) field.label = label;
        fields.push(field);
      }
    });
    return fields;
  }

  function same(fields) {
    const strip = function (list) { return JSON.stringify(list.map(function (f) { return [f.name, f.value]; })); };
    return strip(fields) === strip(snapshot());
  }

  function send(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": config.dataset.csrf,
      },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("not saved");
      return response.json();
    });
  }

  function save(keepalive) {
    window.clearTimeout(timer);
    if (!dirty || submitting) return;
    dirty = false;
    send(config.dataset.draftUrl, { path: path, fields: snapshot() }, keepalive).catch(function () {
      dirty = true;
    });
  }

  function changed() {
    if (restoring || submitting) return;
    dirty = true;
    // While an earlier draft is on offer, it is not overwritten by a keystroke.
    if (offered) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, SAVE_AFTER);
  }

  function fire(element) {
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function showPicked(element, label) {
    const root = element.closest("[data-patient-picker]");
    if (!root) return;
    const chosen = root.querySelector("[data-picker-chosen]");
    const name = root.querySelector("[data-picker-chosen-name]");
    const empty = root.querySelector("[data-picker-empty]");
    if (name) name.textContent = label || "";
    if (chosen) chosen.hidden = !element.value;
    if (empty) empty.hidden = !!element.value;
  }

  // Put the draft's values back. Fields are set in the form's order and each announces its
  // change, so what depends on an earlier field (the grades of a scale) follows it.
  function restore(fields) {
    const values = new Map();
    const labels = new Map();
    fields.forEach(function (field) {
      if (!values.has(field.name)) values.set(field.name, []);
      values.get(field.name).push(field.value);
      if (field.label) labels.set(field.name, field.label);
    });
    restoring = true;
    Array.from(form.elements).forEach(function (element) {
      if (!kept(element)) return;
      const wanted = values.get(element.name);
      if (element.type === "radio" || element.type === "checkbox") {
        const on = !!wanted && wanted.indexOf(element.value) >= 0;
        if (element.checked !== on) {
          element.checked = on;
          fire(element);
        }
      } else if (wanted && element.type === "select-multiple") {
        Array.from(element.options).forEach(function (option) {
          option.selected = wanted.indexOf(option.value) >= 0;
        });
        fire(element);
      } else if (wanted && element.value !== wanted[0]) {
        element.value = wanted[0];
        if (element.matches("[data-picker-value]")) showPicked(element, labels.get(element.name));
        fire(element);
      }
    });
    restoring = false;
  }

  function words(text, time) {
    return (text || "").replace("{time}", time);
  }

  function settle(offer, text) {
    // The offer becomes a note of what happened; the focus goes to it, so it is read out and
    // the keyboard carries on from there.
    const note = document.createElement("div");
    note.className = "alert alert-secondary";
    note.tabIndex = -1;
    note.textContent = text;
    offer.replaceWith(note);
    note.focus();
    offered = null;
  }

  function offer(draft) {
    const box = offerTemplate.content.firstElementChild.cloneNode(true);
    box.querySelector("[data-draft-time]").textContent = draft.saved_label;
    box.querySelector("[data-draft-restore]").addEventListener("click", function () {
      restore(draft.fields);
      dirty = false;
      settle(box, words(box.dataset.restored, draft.saved_label));
    });
    box.querySelector("[data-draft-discard]").addEventListener("click", function () {
      send(config.dataset.draftDiscardUrl, { path: path })
        .then(function () {
          settle(box, words(box.dataset.discarded, draft.saved_label));
          if (dirty) save();
        })
        .catch(function () {});
    });
    form.before(box);
    offered = box;
    if (status) status.textContent = words(box.dataset.announce, draft.saved_label);
  }

  function load() {
    const url = config.dataset.draftUrl + "?path=" + encodeURIComponent(path);
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("no draft");
        return response.json();
      })
      .then(function (body) {
        const draft = body.draft;
        // A draft the form already shows (a page drawn again) is nothing to offer.
        if (draft && !same(draft.fields)) offer(draft);
      })
      .catch(function () {});
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
    window.clearTimeout(timer);
    // If the page stays (the browser refused to send it), keep saving.
    window.setTimeout(function () { submitting = false; }, 5000);
  });
  // Before the idle timeout: what was typed in the last moments is kept now, even over an
  // offered draft, as it is the newer work.
  document.addEventListener("idle:warning", function () {
    if (dirty && offered) {
      offered.remove();
      offered = null;
    }
    save();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !offered) save(true);
  });

  load();
})();
