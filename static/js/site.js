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
})();
