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

// Show-password toggle: a real button (aria-pressed) that switches the fields named in its
// aria-controls between hidden and visible text. The template renders it `hidden`: without
// this script it could do nothing, so it only appears here.
(function () {
  "use strict";

  function setVisible(button, visible) {
    button.setAttribute("aria-pressed", visible ? "true" : "false");
    (button.getAttribute("aria-controls") || "").split(/\s+/).forEach(function (id) {
      var input = id ? document.getElementById(id) : null;
      if (input) {
        input.type = visible ? "text" : "password";
      }
    });
  }

  function initPasswordToggles(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    root.querySelectorAll("[data-password-toggle]").forEach(function (button) {
      if (button.dataset.ready) {
        return;
      }
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        setVisible(button, button.getAttribute("aria-pressed") !== "true");
      });
      // Hide the text again on submit, so the browser offers to save a password field.
      if (button.form) {
        button.form.addEventListener("submit", function () { setVisible(button, false); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initPasswordToggles(document); });
  document.addEventListener("htmx:load", function (event) {
    initPasswordToggles(event.detail && event.detail.elt);
  });
})();
