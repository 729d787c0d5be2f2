// Progressive enhancement only: every page works without this script.
document.addEventListener("DOMContentLoaded", function () {
  // Add a row to the award history.
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var table = button.parentElement.querySelector("[data-rows] tbody");
    if (!table) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = table.querySelectorAll("tr");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      var index = rows.length;
      copy.querySelectorAll("[id], [name], [for]").forEach(function (element) {
        ["id", "name", "for"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace(/\[\d+\]/, "[" + index + "]"));
        });
        if (element.tagName === "INPUT") element.value = "";
        if (element.tagName === "SELECT") element.selectedIndex = 0;
        element.removeAttribute("aria-invalid");
      });
      copy.querySelectorAll(".error").forEach(function (error) { error.remove(); });
      table.appendChild(copy);
      var choice = button.parentElement.querySelector('input[name="prior_awards"][value="list"]');
      if (choice) choice.checked = true;
      copy.querySelector("select").focus();
    });
  });
  // Print the result.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Focus the first field with an error (autofocus does it without script; this also scrolls).
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) invalid.focus();
});

// Printing shows every clause's details.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (details) { details.open = true; });
});
