// Renders every formula pandoc marked (<span class="math inline|display">TeX</span>)
// with the vendored KaTeX: HTML for the eye, MathML for screen readers. A
// formula KaTeX cannot render is marked .katex-error and logged as a console
// error (the browser tests look for both). A formula or table wider than its column scrolls in its own box,
// which then takes the keyboard focus so that it can be scrolled without a mouse.
"use strict";
(function () {
  // An inline formula with a piece that cannot break (KaTeX breaks lines only
  // after relations and operators) wider than its column becomes a box of its own.
  function markWideInline() {
    document.querySelectorAll("span.math.inline").forEach(function (span) {
      span.classList.remove("rnnsym-wide");
      var column = span.parentElement.clientWidth;
      var pieces = span.querySelectorAll(".katex-html .katex-base");
      for (var i = 0; i < pieces.length; i++) {
        if (pieces[i].getBoundingClientRect().width > column) {
          span.classList.add("rnnsym-wide");
          break;
        }
      }
    });
  }
  function markScrollable() {
    markWideInline();
    document.querySelectorAll(".math.display, .math.rnnsym-wide, .rnnsym-scroll, pre").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
      } else {
        box.removeAttribute("tabindex");
      }
    });
  }
  function render() {
    document.querySelectorAll("span.math").forEach(function (span) {
      var tex = span.textContent;
      var options = {displayMode: span.classList.contains("display"), output: "htmlAndMathml", trust: false};
      try {
        katex.render(tex, span, Object.assign({throwOnError: true}, options));
      } catch (error) {
        // throwOnError: false alone would print an unknown command in red
        // without any mark; here every failure is marked and logged.
        katex.render(tex, span, Object.assign({throwOnError: false}, options));
        span.classList.add("katex-error");
        console.error("KaTeX could not render " + tex + ": " + error.message);
      }
    });
    // Widths are final once KaTeX's fonts have loaded.
    document.fonts.ready.then(function () {
      markScrollable();
      document.documentElement.setAttribute("data-math", "rendered");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
  window.addEventListener("resize", markScrollable);
})();
