// Hearth console: progressive enhancement only. Every page works without this file.
// Forms marked data-confirm ask before they submit (revoke, disable, unshare).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
