// Pledge form and pledge page, progressive enhancement only: without this file the server
// re-renders the form for the chosen day ("Show that day's needs") and refuses closed days.
(() => {
  const form = document.querySelector("[data-pledge-form]");
  if (!form) return;

  // Back to a form already sent: send its one-time key again, so the server shows the pledge
  // it made instead of making a second one (a reloaded page would carry a fresh key).
  const key = form.querySelector("input[name=idempotency_key]");
  if (key) {
    const stored = `aidons:pledge-key:${location.pathname}`;
    try {
      const navigation = performance.getEntriesByType("navigation")[0];
      const kept = sessionStorage.getItem(stored);
      if (kept && navigation && navigation.type === "back_forward") key.value = kept;
      form.addEventListener("submit", () => sessionStorage.setItem(stored, key.value));
    } catch {
      // storage refused (private mode): the key of the page as served
    }
  }
  const day = form.querySelector("#f-due_on");
  const slot = form.querySelector("#f-slot_id");
  if (!day) return;
  form.querySelectorAll("[data-no-js]").forEach((element) => element.remove());

  const chosenPoint = () => {
    const checked = form.querySelector("input[name=drop_off_point_id]:checked");
    return checked ? checked.value : null;
  };

  // What is still missing on the chosen day, for each need (embedded for the days offered).
  const showDay = () => {
    form.querySelectorAll("[data-missing]").forEach((element) => {
      const byDay = JSON.parse(element.dataset.missing);
      if (byDay[day.value]) element.textContent = byDay[day.value];
    });
  };

  // Only the days the chosen drop-off point opens can be picked.
  const offerOpenDays = () => {
    const point = chosenPoint();
    if (!point) return;
    for (const option of day.options) {
      const open = (option.dataset.openPoints || "").split(" ").includes(point);
      option.disabled = !open;
      option.textContent = open ? option.dataset.label : option.dataset.closedLabel;
    }
    if (day.selectedOptions[0] && day.selectedOptions[0].disabled) {
      const next = [...day.options].find((option) => !option.disabled);
      if (next) day.value = next.value;
    }
    showDay();
  };

  // A time slot decides the day and the drop-off point.
  const followSlot = () => {
    const option = slot && slot.selectedOptions[0];
    if (!option || !option.dataset.day) return;
    const radio = form.querySelector(`input[name=drop_off_point_id][value="${option.dataset.point}"]`);
    if (radio) radio.checked = true;
    offerOpenDays();
    if ([...day.options].some((o) => o.value === option.dataset.day)) day.value = option.dataset.day;
    showDay();
  };

  day.addEventListener("change", showDay);
  form.querySelectorAll("input[name=drop_off_point_id]").forEach((radio) => {
    radio.addEventListener("change", offerOpenDays);
  });
  if (slot) slot.addEventListener("change", followSlot);
  offerOpenDays();
})();
