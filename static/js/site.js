// みえDXセンター: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // After a form is sent back with errors, move keyboard and screen-reader focus to the
  // summary at the top, so the person hears what to fix and can follow its links.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
