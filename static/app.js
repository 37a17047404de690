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

// Thank-you page: once the payment is confirmed, point to the receipt.
if (giftStatus) {
  const ready = document.querySelector("[data-when-confirmed]");
  const counted = ["succeeded", "partially_refunded", "refunded", "disputed"];
  if (ready) {
    new MutationObserver(() => {
      if (counted.includes(giftStatus.dataset.status)) ready.hidden = false;
    }).observe(giftStatus, { attributes: true, attributeFilter: ["data-status"] });
  }
}

// Donation form: one amount at a time. Typing another amount unticks the presets; picking a
// preset empties the other amount (without JavaScript, CSS and the server give the same rule).
const otherAmount = document.querySelector("[data-other-amount]");
if (otherAmount) {
  const presets = document.querySelectorAll('input[type="radio"][name="amount"]');
  otherAmount.addEventListener("input", () => {
    if (otherAmount.value.trim()) presets.forEach((radio) => { radio.checked = false; });
  });
  presets.forEach((radio) => radio.addEventListener("change", () => { otherAmount.value = ""; }));
}
