// Sésame: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  // After a page load or a boosted navigation, put focus where a screen-reader user needs
  // it: on the error summary if the form was refused, else leave the browser's default.
  function focusErrors(root) {
    var summary = (root || document).querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.boosted) {
      focusErrors(document);
    }
  });
})();
