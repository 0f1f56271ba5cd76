// Print buttons (data-print) on printable pages. A file of its own: no inline scripts (CSP).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((el) => {
    el.addEventListener("click", () => window.print());
  });
});
