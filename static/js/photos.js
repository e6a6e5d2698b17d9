// Compare (issue 17): the range input reveals the earlier photo over the later one. Without
// JavaScript the overlay stays hidden and the side-by-side pair says it all.
(function () {
  "use strict";

  function setUp(section) {
    var top = section.querySelector("[data-overlay-top]");
    var range = section.querySelector("[data-overlay-range]");
    if (!top || !range) {
      return;
    }
    function show() {
      top.style.setProperty("--reveal", range.value + "%");
      range.setAttribute("aria-valuetext", range.value + "% earlier photo");
    }
    range.addEventListener("input", show);
    show();
    section.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-photo-overlay]").forEach(setUp);
  });
})();
