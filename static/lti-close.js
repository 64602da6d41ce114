// LTI Dynamic Registration: tell the platform that opened this page (in a window or a
// frame) that the registration is over, so that it closes it and lists the new tool.
(function () {
  "use strict";
  var message = { subject: "org.imsglobal.lti.close" };
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (target) target.postMessage(message, "*");
})();
