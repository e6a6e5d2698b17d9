// Follicle: progressive enhancement only; every page works without it.
document.addEventListener("submit", function (event) {
  // A second click on a submit button while the first request is under way sends nothing.
  const form = event.target;
  if (form.dataset.submitted === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
  window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
});

document.addEventListener("DOMContentLoaded", function () {
  // The grade list shows only the grades of the chosen scale.
  const scale = document.getElementById("id_scale");
  const grade = document.getElementById("id_grade");
  if (!scale || !grade) return;
  const labels = { norwood: "Norwood", ludwig: "Ludwig", savin: "Savin" };
  function sync() {
    const wanted = labels[scale.value];
    grade.querySelectorAll("optgroup").forEach(function (group) {
      const show = !wanted || group.label.startsWith(wanted);
      group.hidden = !show;
      group.disabled = !show;
    });
    const selected = grade.selectedOptions[0];
    if (selected && selected.parentElement.disabled) grade.value = "";
  }
  scale.addEventListener("change", sync);
  sync();
});

document.addEventListener("click", function (event) {
  // Print buttons (the post-care sheet): no inline script, so the CSP stays strict.
  if (event.target.closest("[data-print]")) window.print();
});

function focusErrorSummary(root) {
  // A form came back with errors: the focus goes to its summary (templates/includes/
  // error_summary.html), so a screen reader reads what is wrong and a keyboard starts there.
  const summary = root.querySelector(".error-summary");
  if (summary) summary.focus();
}

document.addEventListener("DOMContentLoaded", function () {
  focusErrorSummary(document);
});

document.addEventListener("htmx:afterSettle", function (event) {
  // The same for a form that htmx swapped in.
  if (event.target instanceof Element) focusErrorSummary(event.target);
});

// ---- Patient picker: the ARIA 1.2 combobox of templates/includes/patient_picker.html ----
// htmx POSTs what is typed (never in a URL); this part keeps the ARIA state, the keyboard and
// the live region, and fills the hidden `patient` with the chosen id.
(function () {
  const COMBOBOX = "[data-patient-picker] [role=combobox]";
  const MIN_LENGTH = 2;

  function parts(element) {
    const root = element.closest("[data-patient-picker]");
    const input = root.querySelector("[role=combobox]");
    return {
      root: root,
      input: input,
      listbox: document.getElementById(input.getAttribute("aria-controls")),
      status: root.querySelector("[data-picker-status]"),
      value: root.querySelector("[data-picker-value]"),
      chosen: root.querySelector("[data-picker-chosen]"),
      chosenName: root.querySelector("[data-picker-chosen-name]"),
      empty: root.querySelector("[data-picker-empty]"),
    };
  }

  function options(p) {
    return Array.from(p.listbox.querySelectorAll("[role=option]"));
  }

  function active(p) {
    const id = p.input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function setOpen(p, open) {
    p.listbox.hidden = !open;
    p.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) p.input.removeAttribute("aria-activedescendant");
  }

  function activate(p, option) {
    options(p).forEach(function (each) {
      const on = each === option;
      each.setAttribute("aria-selected", on ? "true" : "false");
      each.classList.toggle("active", on);
    });
    p.input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function choose(p, option) {
    p.value.value = option.dataset.value;
    p.chosenName.textContent = option.dataset.label;
    p.chosen.hidden = false;
    if (p.empty) p.empty.hidden = true;
    p.input.value = "";
    p.listbox.replaceChildren();
    setOpen(p, false);
    p.status.textContent = "Selected " + option.dataset.label;
    p.value.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function move(p, step) {
    const all = options(p);
    if (all.length === 0) return;
    setOpen(p, true);
    const index = all.indexOf(active(p));
    let next;
    if (index < 0) next = step > 0 ? 0 : all.length - 1;
    else next = (index + step + all.length) % all.length;
    activate(p, all[next]);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    const input = event.detail.elt;
    if (!(input instanceof Element) || !input.matches(COMBOBOX)) return;
    const p = parts(input);
    const text = input.value.trim();
    if (text.length < MIN_LENGTH) {
      event.preventDefault();
      p.listbox.replaceChildren();
      setOpen(p, false);
      p.status.textContent = text ? "Type at least " + MIN_LENGTH + " characters." : "";
      return;
    }
    event.detail.parameters.q = text;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const listbox = event.detail.target;
    if (!(listbox instanceof Element) || !listbox.matches("[data-patient-picker] [role=listbox]")) return;
    const p = parts(listbox);
    const count = options(p).length;
    p.input.removeAttribute("aria-activedescendant");
    setOpen(p, count > 0 && document.activeElement === p.input);
    p.status.textContent = count === 1 ? "1 patient found" : count + " patients found";
  });

  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!(input instanceof Element) || !input.matches(COMBOBOX)) return;
    const p = parts(input);
    const open = input.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(p, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && open) {
      // Enter in an open list chooses; it does not submit the form around it.
      event.preventDefault();
      const option = active(p);
      if (option) choose(p, option);
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        setOpen(p, false);
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
      }
    }
  });

  document.addEventListener("mousedown", function (event) {
    // Keep the focus in the input while an option is clicked.
    if (event.target instanceof Element && event.target.closest("[data-patient-picker] [role=option]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    const option = event.target.closest("[data-patient-picker] [role=option]");
    if (option) {
      choose(parts(option), option);
      return;
    }
    const clear = event.target.closest("[data-picker-clear]");
    if (clear) {
      const p = parts(clear);
      p.value.value = "";
      p.chosen.hidden = true;
      p.status.textContent = "No patient selected";
      p.input.focus();
    }
  });

  document.addEventListener("focusout", function (event) {
    const input = event.target;
    if (input instanceof Element && input.matches(COMBOBOX)) setOpen(parts(input), false);
  });
})();
