// Editors' preview: reload the page when the content changes on disk.
// Loaded only by `alliances preview`; the server answers /preview/status there alone.
(function () {
  "use strict";
  var stamp = null;
  function poll() {
    fetch("/preview/status", { cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (stamp !== null && data.stamp !== stamp) { window.location.reload(); }
        stamp = data.stamp;
      })
      .catch(function () { /* the server restarts: try again */ })
      .then(function () { window.setTimeout(poll, 1000); });
  }
  poll();
}());
