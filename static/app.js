// Progressive enhancement only: every page works without this file.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  const original = button.textContent;
  button.textContent = button.dataset.copiedLabel || original;
  setTimeout(() => { button.textContent = original; }, 2000);
});

// Thank-you page: follow a pending gift until the payment service confirms it.
const giftStatus = document.querySelector("[data-status-url]");
if (giftStatus && giftStatus.dataset.status === "pending") {
  let tries = 0;
  const poll = async () => {
    tries += 1;
    try {
      const response = await fetch(giftStatus.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const body = await response.json();
        if (body.status !== giftStatus.dataset.status) {
          giftStatus.dataset.status = body.status;
          giftStatus.className = `gift-status status-${body.status}`;
          giftStatus.textContent = body.status_label;
        }
      }
    } catch {
      // offline for a moment: the next try or the reload link will do
    }
    if (giftStatus.dataset.status === "pending" && tries < 60) setTimeout(poll, 3000);
  };
  setTimeout(poll, 2000);
}
