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
