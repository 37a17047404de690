// Live figures: re-read the cached progress endpoint every 20 s (and when the tab comes back),
// so a page left open follows the campaign without a reload. The endpoint is served from the
// page cache, so thousands of open tabs cost the database a few queries a minute.
(function () {
  const boxes = document.querySelectorAll("[data-live-progress]");
  if (!boxes.length || !window.fetch) return;

  async function refresh(box) {
    try {
      const response = await fetch(box.dataset.liveProgress, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      for (const element of box.querySelectorAll("[data-live]")) {
        const key = element.dataset.live;
        if (key === "bar") {
          const step = Math.min(100, Math.floor((data.percent || 0) / 5) * 5);
          element.className = "bar-fill bar-" + step;
          element.parentElement.setAttribute("aria-valuenow", Math.min(100, data.percent || 0));
        } else if (data[key] != null) {
          element.textContent = data[key];
        }
      }
    } catch (error) {
      // Offline or server busy: keep the figures shown; the next tick tries again.
    }
  }

  function refreshAll() { boxes.forEach(refresh); }
  setInterval(() => { if (!document.hidden) refreshAll(); }, 20000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refreshAll(); });
})();
