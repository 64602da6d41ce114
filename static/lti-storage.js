// LTI launch inside the platform's frame without cookies (issue #17; 1EdTech « LTI Client
// Side postMessage storage »; server/views/lti_storage.py). At the login, put this
// launch's state and nonce in the platform's window, then go to its authorisation
// endpoint; at the launch, get them back and, if they match, post the id_token on.
// Messages go to the platform's origin only (never "*"), answers are read from it only.
// Anything else (no answer within 2 s, an error, a mismatch) leaves the page's
// « Ouvrir dans une nouvelle fenêtre » link, which is always there.
(function () {
  "use strict";
  var WAIT_MS = 2000;
  var box = document.getElementById("lti-storage");
  if (!box) return;
  var origin = box.dataset.origin;
  var targetName = box.dataset.target;
  var state = box.dataset.state;
  var nonce = box.dataset.nonce;
  var form = box.querySelector("form[data-check]");
  var status = box.querySelector("[data-status]");
  var done = false;

  function fail(why) {
    if (done) return;
    done = true;
    if (status) {
      status.textContent =
        "Votre navigateur ne permet pas d’ouvrir le cours ici (" + why + ")\u00a0: " +
        "ouvrez-le dans une nouvelle fenêtre.";
    }
  }

  function platformWindow() {
    if (window.parent === window) return null;
    if (targetName === "_parent") return window.parent;
    try {
      return window.parent.frames[targetName] || null;
    } catch (error) {
      return null;
    }
  }

  var target = platformWindow();
  if (!target || !origin || !state || !nonce) {
    fail("pas de stockage");
    return;
  }

  var pending = {};
  function ask(subject, key, value) {
    var id = "at-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    var message = { subject: subject, message_id: id, key: key };
    if (value !== undefined) message.value = value;
    return new Promise(function (resolve, reject) {
      pending[id] = { resolve: resolve, reject: reject, key: key, subject: subject };
      try {
        target.postMessage(message, origin);
      } catch (error) {
        reject(error);
      }
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== target) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.message_id !== "string") return;
    var waiting = pending[data.message_id];
    if (!waiting || data.subject !== waiting.subject + ".response") return;
    delete pending[data.message_id];
    if (data.error) waiting.reject(new Error("refus de la plateforme"));
    else if (data.key !== waiting.key) waiting.reject(new Error("réponse inattendue"));
    else waiting.resolve(data.value);
  });

  var keys = { state: "lti_state_" + state, nonce: "lti_nonce_" + nonce };
  var work;
  if (form) {
    work = Promise.all([ask("lti.get_data", keys.state), ask("lti.get_data", keys.nonce)]).then(
      function (values) {
        if (values[0] !== state || values[1] !== nonce) throw new Error("lancement inconnu");
      }
    );
  } else {
    work = Promise.all([
      ask("lti.put_data", keys.state, state),
      ask("lti.put_data", keys.nonce, nonce),
    ]);
  }
  var timer = window.setTimeout(function () {
    fail("pas de réponse");
  }, WAIT_MS);
  work.then(
    function () {
      window.clearTimeout(timer);
      if (done) return;
      done = true;
      if (form) form.submit();
      else window.location.assign(box.dataset.next);
    },
    function (error) {
      window.clearTimeout(timer);
      fail(error && error.message ? error.message : "erreur");
    }
  );
})();
