/* Self-check questions (lungmets.teaching.self_check): reveal each answer's feedback.
 * Inline with every question block; the guard keeps one listener per page. */
(function () {
  "use strict";
  if (window.lungmetsSelfCheck) { return; }
  window.lungmetsSelfCheck = true;

  function parseNumber(text) {
    var cleaned = text.trim().replace(/\s+/g, "").replace(/[%a-zA-Z]+$/, "");
    if (cleaned.indexOf(".") === -1) { cleaned = cleaned.replace(",", "."); }
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned) ? Number(cleaned) : NaN;
  }

  function say(question, verdict, text) {
    var box = question.querySelector(".lungmets-sc-feedback");
    box.classList.remove("is-right", "is-wrong");
    if (verdict) { box.classList.add(verdict); }
    box.textContent = text;
  }

  function why(question, key) {
    return question.querySelector('.lungmets-sc-whys [data-option="' + key + '"]').textContent;
  }

  function checkChoice(question) {
    var chosen = question.querySelector("input[type=radio]:checked");
    if (!chosen) { say(question, null, "Choose an answer first."); return; }
    var right = chosen.dataset.correct === "true";
    say(question, right ? "is-right" : "is-wrong",
        (right ? "Right. " : "Not quite. ") + why(question, chosen.value));
  }

  function checkNumber(question) {
    var input = question.querySelector("input[type=text]");
    var value = parseNumber(input.value);
    if (isNaN(value)) { say(question, null, "Type a number, for example 12.5."); return; }
    var answer = Number(input.dataset.answer);
    if (Math.abs(value - answer) <= Number(input.dataset.tolerance)) {
      say(question, "is-right", "Right: " + why(question, "right"));
    } else {
      say(question, "is-wrong", "Not quite: " + input.value.trim() + " is too " +
          (value > answer ? "high" : "low") + ". " + why(question, "wrong"));
    }
  }

  function check(question) {
    if (question.dataset.kind === "choice") { checkChoice(question); } else { checkNumber(question); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".lungmets-sc-check");
    if (button) { check(button.closest(".lungmets-sc-question")); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches && target.matches(".lungmets-sc-question input[type=text]")) {
      event.preventDefault();
      check(target.closest(".lungmets-sc-question"));
    }
  });
}());
