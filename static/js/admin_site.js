/* Every admin page (templates/admin/base_site.html).
   Django's two-box selector (filter_horizontal, SelectFilter2.js) draws its search icon as a
   <span class="help-tooltip" aria-label="…"> without a role, where aria-label is not allowed
   (axe aria-prohibited-attr): it is an image with a text alternative, so it gets role="img".
   The selector is drawn after the page loads: a MutationObserver fixes it as it appears. */
(function () {
  "use strict";
  function fix(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (el) {
      el.setAttribute("role", "img");
    });
  }
  function start() {
    fix(document);
    new MutationObserver(function () { fix(document); }).observe(document.body, {
      childList: true,
      subtree: true,
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
