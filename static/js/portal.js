/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  var DRAFT_KEY = "portal-draft:" + window.location.pathname;

  function fieldsToKeep() {
    var selector = "form:not([data-keeps-drafts]) [name]";
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (el) {
      var type = (el.getAttribute("type") || "").toLowerCase();
      return el.name && el.name !== "csrf_token" &&
        ["password", "hidden", "file", "submit", "button"].indexOf(type) === -1;
    });
  }

  /* Changing language reloads the page: keep what the user has typed but not yet sent. */
  function saveDrafts() {
    var values = {};
    fieldsToKeep().forEach(function (el) {
      var type = (el.getAttribute("type") || "").toLowerCase();
      var key = (el.form && el.form.getAttribute("action") || "") + "|" + el.name;
      if (type === "checkbox" || type === "radio") {
        if (el.checked) { (values[key] = values[key] || []).push(el.value); }
      } else if (el.value) {
        values[key] = [el.value];
      }
    });
    try { window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify(values)); } catch (e) { /* private mode */ }
  }

  function restoreDrafts() {
    var raw = null;
    try {
      raw = window.sessionStorage.getItem(DRAFT_KEY);
      window.sessionStorage.removeItem(DRAFT_KEY);
    } catch (e) { return; }
    if (!raw) { return; }
    var values = JSON.parse(raw);
    fieldsToKeep().forEach(function (el) {
      var key = (el.form && el.form.getAttribute("action") || "") + "|" + el.name;
      var saved = values[key];
      if (!saved) { return; }
      var type = (el.getAttribute("type") || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        el.checked = saved.indexOf(el.value) !== -1;
      } else if (!el.value) {
        el.value = saved[0];
      }
    });
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-keeps-drafts]")) { saveDrafts(); }
  });

  /* Move focus to an error summary so screen readers announce it. */
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    restoreDrafts();
    focusErrors();
  });
})();

/* After htmx swaps in the next question, move focus to it so screen readers read it. */
document.addEventListener("htmx:afterSettle", function (event) {
  var heading = event.target && event.target.querySelector && event.target.querySelector(".question");
  if (heading) { heading.focus(); }
});
