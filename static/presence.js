// The module page tells the server, every 60 s while it is visible, that the learner
// is still on it: the measured learning time (issue #18 §2) then counts the reading
// done between two requests. Without JavaScript, the requests alone count.
(function () {
  "use strict";
  var EVERY = 60000;

  function start(form) {
    if (!window.fetch || !window.FormData || !document.visibilityState) return;
    var timer = null;

    function beat() {
      if (document.visibilityState !== "visible") return;
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        redirect: "manual"
      }).catch(function () { /* offline: the next beat or request counts */ });
    }

    function follow() {
      if (timer) { clearInterval(timer); timer = null; }
      if (document.visibilityState === "visible") {
        timer = setInterval(beat, EVERY);
      }
    }

    document.addEventListener("visibilitychange", function () {
      // Back on the page after a while: say so at once, then every minute.
      if (document.visibilityState === "visible") beat();
      follow();
    });
    follow();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("presence");
    if (form) start(form);
  });
})();
