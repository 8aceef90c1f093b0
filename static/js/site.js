// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move keyboard focus to content that htmx swapped in, so screen readers announce it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var focusable = target && target.querySelector("[data-autofocus]");
    if (focusable) { focusable.focus(); }
  });
  // A <details> toggled open by a "reply"/"edit" link focuses its first field.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.tagName === "DETAILS" && details.open) {
      var field = details.querySelector("textarea, input:not([type=hidden])");
      if (field) { field.focus(); }
    }
  }, true);
  // Discussions: a refused action (4xx) that names where its message goes (HX-Retarget) is shown
  // there instead of being dropped, so the reader learns why nothing happened.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Discussions: "Cancel" in a reply or report form loaded in place empties its slot.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss]");
    var slot = button && button.closest(".reply-slot, .comment__panel");
    if (slot) { slot.replaceChildren(); }
  });
  // Discussions: a reply, edit or report form loaded in place focuses its first field.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    var field = elt && elt.querySelector &&
      elt.querySelector("form[data-focus-first] textarea, form[data-focus-first] input:not([type=hidden])");
    if (field) { field.focus(); }
  });
})();
