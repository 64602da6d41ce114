// After a form comes back with errors, move focus to its summary (marked data-focus), so
// keyboard and screen-reader users start from the list of what to fix. Without
// JavaScript, the form's action ends in #erreur-quiz and the page lands there.
(function () {
  "use strict";
  var target = document.querySelector("[data-focus]");
  if (target) target.focus();
})();
