/* Every admin page (templates/admin/base_site.html): names for controls Django's admin draws
   without one (WCAG 1.3.1 / 4.1.2; axe label, select-name, aria-prohibited-attr).

   - The two-box selector (filter_horizontal, SelectFilter2.js) draws its search icon as a
     <span class="help-tooltip" aria-label="…"> without a role, where aria-label is not allowed:
     it is an image with a text alternative, so it gets role="img".
   - A table of rows to edit (a tabular inline, a change list's list_editable) labels each
     column once, in its header (th.column-NAME over td.field-NAME): each box in the column is
     named after its header.
   - A date-and-time field (AdminSplitDateTime) writes 「日付:」 and 「時刻:」 as plain text
     before its two boxes: each box is named after the field and that text.
   - An autocomplete box (select2) is named by its choice only: its field's name comes first.

   The selector is drawn after the page loads, and inline rows are added by staff: a
   MutationObserver names what appears. Nothing that already has a name is changed. */
(function () {
  "use strict";
  var CONTROLS = "input:not([type=hidden]), select, textarea";

  function named(el) {
    return (
      el.hasAttribute("aria-label") ||
      el.hasAttribute("aria-labelledby") ||
      (el.labels && el.labels.length > 0)
    );
  }

  function text(el) {
    var copy = el.cloneNode(true);
    copy.querySelectorAll("img, .help, .help-tooltip").forEach(function (n) { n.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function nameTableCells(root) {
    root.querySelectorAll("table td[class*='field-']").forEach(function (td) {
      var match = /(?:^|\s)field-(\S+)/.exec(td.className);
      var table = td.closest("table");
      if (!match || !table) return;
      var th = table.querySelector("thead th.column-" + CSS.escape(match[1]));
      if (!th) return;
      var header = text(th);
      if (!header) return;
      td.querySelectorAll(CONTROLS).forEach(function (el) {
        if (!named(el)) el.setAttribute("aria-label", header);
      });
    });
    root.querySelectorAll("table td.delete input[type=checkbox]").forEach(function (el) {
      var table = el.closest("table");
      var header = table && table.querySelector("thead th:last-child");
      if (!named(el) && header && text(header)) el.setAttribute("aria-label", text(header));
    });
  }

  function nameSplitDateTimes(root) {
    root.querySelectorAll("p.datetime").forEach(function (p) {
      var row = p.closest(".form-row, .fieldBox, td");
      var label = row && row.querySelector("label");
      var field = label ? text(label).replace(/[:：]$/, "") : "";
      p.querySelectorAll("input").forEach(function (el) {
        if (named(el)) return;
        var before = el.previousSibling;
        while (before && before.nodeType !== Node.TEXT_NODE) before = before.previousSibling;
        var part = before ? before.textContent.replace(/[:：\s]+$/, "").trim() : "";
        el.setAttribute("aria-label", [field, part].filter(Boolean).join(" "));
      });
    });
  }

  var ids = 0;
  function idOf(el) {
    if (!el.id) el.id = "admin-site-name-" + ++ids;
    return el.id;
  }

  // The element that names a control: its <label>, or its column's header in a table.
  function namingElement(control) {
    if (control.labels && control.labels.length) return control.labels[0];
    var td = control.closest("td[class*='field-']");
    var match = td && /(?:^|\s)field-(\S+)/.exec(td.className);
    var table = td && td.closest("table");
    return match && table ? table.querySelector("thead th.column-" + CSS.escape(match[1])) : null;
  }

  // An autocomplete (select2) box is named by the text of its choice only, empty when nothing
  // is chosen (axe aria-input-field-name): its field's label or column header comes first.
  function nameAutocompletes(root) {
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      if (box.dataset.adminSiteNamed) return;
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      var name = namingElement(select);
      if (!name) return;
      var current = box.getAttribute("aria-labelledby") || "";
      box.setAttribute("aria-labelledby", (idOf(name) + " " + current).trim());
      // The choice shown inside (role=textbox, empty until something is chosen).
      box.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (el) {
        if (!el.hasAttribute("aria-labelledby") && !el.hasAttribute("aria-label")) {
          el.setAttribute("aria-labelledby", idOf(name));
        }
      });
      box.dataset.adminSiteNamed = "1";
    });
  }

  function fix() {
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (el) {
      el.setAttribute("role", "img");
    });
    nameTableCells(document);
    nameSplitDateTimes(document);
    nameAutocompletes(document);
  }

  function start() {
    fix();
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
