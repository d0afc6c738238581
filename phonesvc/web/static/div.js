/* PhoneDiversions' Groups tab: a button with data-copy="<input id>" copies that input's text (the Phone
   Service URL). The clipboard API needs HTTPS (or localhost); over plain HTTP the text is selected and
   copied the old way, and stays selected for Ctrl+C if even that is refused. */
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  button.textContent = "Copied";
});
