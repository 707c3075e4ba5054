// Sésame: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  // Where a screen-reader (or keyboard) user needs to be after a page changes: on the
  // error summary when a form was refused, else on the new page's heading, unless the
  // person has already put the focus somewhere in the new page (a fast typist, a click).
  function focusTarget(root) {
    var summary = root.querySelector(".error-summary");
    if (summary) {
      return summary;
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) {
      return null;
    }
    var heading = root.querySelector("main h1");
    if (heading && !heading.hasAttribute("tabindex")) {
      heading.setAttribute("tabindex", "-1");
    }
    return heading;
  }

  // A full page load: only a refused form moves focus (the browser reads a new page from
  // the top anyway).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  });

  // A boosted navigation (or an HX-Location) swaps the body: nothing tells assistive
  // technology that the page changed, so focus goes to the new heading or the errors.
  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    var target = detail.target || event.target;
    if (!detail.boosted && target !== document.body) {
      return;
    }
    var where = focusTarget(document);
    if (where) {
      where.focus({ preventScroll: false });
    }
  });
})();

// The done page's print button: rendered `hidden`, shown only where it can work.
(function () {
  "use strict";

  function initPrintButtons(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.ready) {
        return;
      }
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initPrintButtons(document); });
  document.addEventListener("htmx:load", function (event) {
    initPrintButtons(event.detail && event.detail.elt);
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
