// Live preview only (never in `build` output): shows the last rebuild's errors over the page.
// The preview server writes __preview/status.json after every rebuild and then reloads the
// page, so this runs once per page load.
(async () => {
  const script = document.currentScript;
  const statusUrl = new URL("status.json", script.src);
  let status;
  try {
    const response = await fetch(statusUrl, { cache: "no-store" });
    status = await response.json();
  } catch {
    return;
  }
  if (!status.errors || status.errors.length === 0) return;
  const box = document.createElement("section");
  box.setAttribute("role", "alert");
  box.setAttribute("aria-labelledby", "timeline-preview-errors-title");
  box.id = "timeline-preview-errors";
  box.style.cssText =
    "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
    "margin:0;padding:1rem 1.25rem;background:#3b0d0c;color:#fff;border-top:4px solid #ff6b6b;" +
    "font:15px/1.5 system-ui,sans-serif;box-shadow:0 -4px 16px rgba(0,0,0,.4)";
  const title = document.createElement("h2");
  title.id = "timeline-preview-errors-title";
  title.style.cssText = "margin:0 0 .5rem;font-size:1.1rem";
  // The preview writes these words in the site's language; English while it cannot.
  title.textContent =
    status.title ||
    `The site could not be rebuilt (${status.errors.length} problem${
      status.errors.length === 1 ? "" : "s"
    }). You are seeing the last good version.`;
  const list = document.createElement("pre");
  list.style.cssText = "margin:0;white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace";
  list.textContent = status.errors.join("\n");
  const hint = document.createElement("p");
  hint.style.cssText = "margin:.5rem 0 0;opacity:.85";
  hint.textContent = status.hint || "Fix the file and save: this page reloads by itself.";
  box.append(title, list, hint);
  document.body.append(box);
})();
