/* Name every widget slider after its description; lungmets_site.py adds this to widget pages.
 *
 * ipywidgets 8 draws a slider's handle as a <div role="slider"> (noUiSlider) and its
 * description as a <label> that is not tied to the handle, so a screen reader announces a
 * slider without a name (axe: aria-input-field-name). Widgets render after the page has
 * loaded and may redraw a handle, so the names are set again after every DOM change.
 */
(function () {
  "use strict";
  function nameSliders() {
    var handles = document.querySelectorAll(".widget-slider [role='slider']:not([aria-label])");
    handles.forEach(function (handle) {
      var label = handle.closest(".widget-slider").querySelector(".widget-label");
      var text = label ? label.textContent.trim() : "";
      if (text) {
        handle.setAttribute("aria-label", text);
      }
    });
  }
  new MutationObserver(nameSliders).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();
