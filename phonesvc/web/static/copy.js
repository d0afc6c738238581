// Copy buttons: <button data-copy="ID"> copies the text of the element with that id. navigator.clipboard needs
// a secure page (HTTPS or localhost); over plain HTTP from another host a selected textarea and execCommand
// do it. The button says "Copied" for a moment; #copy-status tells a screen reader.
"use strict";
(function () {
  function fallback(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done;
  }

  async function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (e) { /* refused (permissions): try the old way */ }
    }
    return fallback(text);
  }

  document.addEventListener("click", async function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    const ok = await copy(source.textContent);
    const label = button.dataset.label || (button.dataset.label = button.textContent);
    button.textContent = ok ? "Copied" : "Select and copy";
    const status = document.getElementById("copy-status");
    if (status) status.textContent = ok ? button.getAttribute("aria-label").replace(/^Copy/, "Copied") : "";
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () { button.textContent = label; }, 2000);
  });
})();
