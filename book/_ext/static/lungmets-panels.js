/* Panels: each control shows the precomputed output at its position (lungmets_panels.py).
 *
 * The build renders every panel as HTML: a control (range input, select or toggle buttons)
 * with data-lungmets-targets naming the Stacks it drives, and Stacks whose items carry
 * data-index, all but the selected one hidden. Nothing else is needed: no widget manager,
 * no state to parse, so the panel's first output is already on screen when this runs.
 */
(function () {
  "use strict";
  function show(targets, index) {
    targets.forEach(function (id) {
      var stack = document.getElementById(id);
      if (!stack) { return; }
      Array.prototype.forEach.call(stack.children, function (item) {
        item.hidden = Number(item.dataset.index) !== index;
      });
    });
  }
  function wire(control) {
    var targets = control.dataset.lungmetsTargets.split(" ");
    var range = control.querySelector("input[type=range]");
    var select = control.querySelector("select");
    var buttons = control.querySelectorAll("button[data-index]");
    if (range) {
      var labels = JSON.parse(range.dataset.lungmetsLabels);
      var output = control.querySelector("output");
      var update = function () {
        var i = Number(range.value);
        range.setAttribute("aria-valuetext", labels[i]);
        output.textContent = labels[i];
        show(targets, i);
      };
      range.addEventListener("input", update);
      update();  // a value the browser restored on "back" must show its own output
    } else if (select) {
      select.addEventListener("change", function () { show(targets, Number(select.value)); });
      show(targets, Number(select.value));
    } else {
      buttons.forEach(function (button) {
        button.addEventListener("click", function () {
          buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
          show(targets, Number(button.dataset.index));
        });
      });
    }
  }
  document.querySelectorAll("[data-lungmets-targets]").forEach(wire);
  // scripts/benchmark_pages.py reads this mark: the moment every panel responds.
  if (window.performance && performance.mark) { performance.mark("lungmets-panels-ready"); }
})();
