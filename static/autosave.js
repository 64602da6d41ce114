// Reflection answers save themselves while the learner types (progressive enhancement:
// without JavaScript, the « Enregistrer ma réponse » button posts the same form).
(function () {
  "use strict";
  var DELAY = 1200;

  function setup(form) {
    var field = form.querySelector("textarea");
    var actions = form.querySelector(".form-actions") || form;
    if (!field || !window.fetch || !window.FormData) return;
    var status = document.createElement("p");
    status.className = "autosave-status";
    status.setAttribute("role", "status");
    actions.appendChild(status);
    var timer = null;
    var saved = field.value;

    function say(text, state) {
      status.textContent = text;
      status.setAttribute("data-state", state);
    }

    function save() {
      timer = null;
      var value = field.value;
      if (value === saved) return;
      say("Enregistrement…", "pending");
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        redirect: "manual"
      }).then(function (response) {
        if (response.type === "opaqueredirect" || response.ok) {
          saved = value;
          say(field.value === value ? "Enregistré" : "Modifications en cours…", "saved");
        } else {
          say("Échec de l'enregistrement automatique : utilisez le bouton « Enregistrer ma réponse ».", "error");
        }
      }).catch(function () {
        say("Hors ligne : votre réponse n'est pas encore enregistrée.", "error");
      });
    }

    field.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });
    field.addEventListener("blur", function () {
      if (timer) { clearTimeout(timer); save(); }
    });
  }

  function start() {
    var forms = document.querySelectorAll(".reflection form");
    for (var i = 0; i < forms.length; i++) setup(forms[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
