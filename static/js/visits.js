// What changed since the reader's previous visit, on the timeline page: events added or
// updated (a later commit, or a correction) since then are marked "New" or "Updated", a
// line at the top says how many, and a button shows only those. The time of each visit is
// kept in this browser's localStorage, for this site only, and is never sent anywhere.
// The first visit marks nothing.
import { _, dayText, ngettext } from "./strings.js";

const summary = document.querySelector("[data-since-visit]");
if (summary) markChanges(summary);

function markChanges(summary) {
  const key = `timeline-visit:${summary.dataset.sinceVisit}`;
  const previous = read(key);
  write(key, new Date().toISOString());
  if (!previous) return;
  const items = [...document.querySelectorAll("li.event-item")];
  const added = [];
  const updated = [];
  const corrected = [];
  for (const item of items) {
    const kind = changeSince(item, previous);
    if (!kind) continue;
    (kind === "added" ? added : updated).push(item);
    if (item.dataset.corrected && item.dataset.corrected >= previous.slice(0, 10)) corrected.push(item);
    badge(item, kind === "added" ? _("New") : _("Updated"));
  }
  if (!added.length && !updated.length) return;
  const text = document.createElement("span");
  text.textContent = _("%(changes)s since your last visit on %(day)s.", {
    changes: describe(added.length, updated.length, corrected.length),
    day: day(previous),
  });
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "link-button";
  toggle.textContent = _("Show only these");
  toggle.setAttribute("aria-pressed", "false");
  const changed = new Set([...added, ...updated]);
  toggle.addEventListener("click", () => {
    const only = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", String(only));
    toggle.textContent = only ? _("Show every event") : _("Show only these");
    for (const item of items) item.classList.toggle("event-item--unchanged", only && !changed.has(item));
    document.getElementById("timeline")?.classList.toggle("only-changes", only);
  });
  summary.replaceChildren(text, " ", toggle);
  summary.hidden = false;
}

// "added" when the event's file was first committed after the visit, "updated" when it
// was changed or corrected after it, else nothing.
function changeSince(item, previous) {
  if (item.dataset.added && item.dataset.added > previous) return "added";
  if (item.dataset.touched && item.dataset.touched > previous) return "updated";
  return "";
}

function badge(item, label) {
  const meta = item.querySelector(".event-meta");
  if (!meta || meta.querySelector(".badge--since")) return;
  const mark = document.createElement("span");
  mark.className = "badge badge--since";
  mark.textContent = label;
  meta.append(" ", mark);
}

function describe(added, updated, corrected) {
  const parts = [];
  if (added) parts.push(ngettext("%(num)d event added", "%(num)d events added", added));
  if (updated) {
    let part = ngettext("%(num)d event updated", "%(num)d events updated", updated);
    if (corrected) {
      const corrections = ngettext("%(num)d corrected", "%(num)d corrected", corrected);
      part = _("%(updated)s (%(corrected)s)", { updated: part, corrected: corrections });
    }
    parts.push(part);
  }
  return parts.length === 2 ? _("%(first)s and %(second)s", { first: parts[0], second: parts[1] }) : parts[0];
}

function day(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso.slice(0, 10) : dayText(date);
}

// Storage may be refused (private modes, disabled cookies): then nothing is marked.
function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // nothing to remember with
  }
}
