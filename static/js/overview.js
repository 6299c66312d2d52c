// The overview strip (drawn at build time by timeline/overview.py), with JavaScript:
//
// - a span can be selected on it: drag across the strip, or move the two handles (sliders:
//   arrow keys a month, Page Up/Down a year, Home/End the ends). The span goes to the
//   search form's `from`/`to` (month precision, `?from=2019-02&to=2019-10`) through the
//   `timeline:span` event, so it filters the list and lives in the URL like every facet;
// - it follows the list (search.js's `timeline:shown` event): marks of events the list
//   hides are dimmed, those it shows are highlighted, and on a density histogram the share
//   of each bin that matches is drawn over it;
// - a mark whose event is on this page scrolls to its card and focuses it, instead of
//   leaving the timeline (without JavaScript the mark is a plain link to the event).
import { _, monthText } from "./strings.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const DRAG_PX = 4; // a press that moves less than this is a click on a mark
const COMMIT_MS = 300; // keys held down move the handle at once, the list after a pause
const ISO_RE = /^([+-]?\d+)-(\d\d)-(\d\d)$/;
const SPAN_RE = /^(-?\d{1,6})(?:-(0[1-9]|1[0-2]))?$/;

const figure = document.querySelector(".overview-figure");
const strip = figure?.querySelector("svg.overview");
if (strip) {
  const form = document.querySelector("[data-timeline-search]");
  leadToCards(strip);
  followList(strip);
  const scale = stripScale(strip);
  if (form && scale) selectSpan(figure, strip, scale, form);
}

// Time <-> x ---------------------------------------------------------------------------

// Day numbers: days since 1970-01-01 in the proleptic Gregorian calendar, any year.
function dayNumber(year, month, day) {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(0, 0, 0, 0);
  return Math.round(date.getTime() / 86400000);
}

function isoDay(text) {
  const match = ISO_RE.exec(text || "");
  return match ? dayNumber(Number(match[1]), Number(match[2]), Number(match[3])) : null;
}

// Months are counted as year * 12 + month - 1, so a month is one step of a slider.
function monthStart(month) {
  return dayNumber(Math.floor(month / 12), monthIndex(month) + 1, 1);
}

function monthOf(day) {
  const date = new Date(day * 86400000);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function monthIndex(month) {
  return ((month % 12) + 12) % 12;
}

function monthValue(month) {
  return `${Math.floor(month / 12)}-${String(monthIndex(month) + 1).padStart(2, "0")}`;
}

function monthName(month) {
  return monthText(Math.floor(month / 12), monthIndex(month));
}

// The strip's linear scale, as the build drew it: its first and last day (data-from,
// data-to) lie at the two ends of the axis line.
function stripScale(svg) {
  const axis = svg.querySelector(".overview__axis-line");
  const first = isoDay(svg.dataset.from);
  const last = isoDay(svg.dataset.to);
  if (!axis || first === null || last === null || last < first) return null;
  const left = Number(axis.getAttribute("x1"));
  const right = Number(axis.getAttribute("x2"));
  const end = last + 1;
  return {
    first,
    end,
    minMonth: monthOf(first),
    maxMonth: monthOf(last),
    x: (day) => left + ((day - first) / (end - first)) * (right - left),
    day: (x) => first + ((x - left) / (right - left)) * (end - first),
  };
}

// From the viewBox to the page and back, whatever size CSS gives the strip.
function toScreen(svg, x) {
  const matrix = svg.getScreenCTM();
  return matrix.a * x + matrix.e;
}

function fromScreen(svg, clientX) {
  const matrix = svg.getScreenCTM();
  return (clientX - matrix.e) / matrix.a;
}

// Selecting a span ---------------------------------------------------------------------

function selectSpan(figure, svg, scale, form) {
  const layer = spanLayer(figure);
  const [low, high] = layer.querySelectorAll("[role=slider]");
  const span = { low: scale.minMonth, high: scale.maxMonth };
  let timer = 0;

  function place() {
    const box = figure.getBoundingClientRect();
    layer.style.top = `${svg.getBoundingClientRect().top - box.top}px`;
    layer.style.height = `${svg.getBoundingClientRect().height}px`;
    const at = (month) => toScreen(svg, scale.x(Math.min(Math.max(monthStart(month), scale.first), scale.end))) - box.left;
    const x1 = at(span.low);
    const x2 = at(span.high + 1);
    layer.style.setProperty("--span-x1", `${x1}px`);
    layer.style.setProperty("--span-x2", `${x2}px`);
    // The veiled outside, on screen: right to left languages draw time the other way.
    layer.style.setProperty("--span-left", `${Math.min(x1, x2)}px`);
    layer.style.setProperty("--span-right", `${Math.max(x1, x2)}px`);
    const whole = span.low === scale.minMonth && span.high === scale.maxMonth;
    layer.classList.toggle("overview-select--whole", whole);
    for (const [handle, month] of [[low, span.low], [high, span.high]]) {
      handle.setAttribute("aria-valuemin", String(scale.minMonth));
      handle.setAttribute("aria-valuemax", String(scale.maxMonth));
      handle.setAttribute("aria-valuenow", String(month));
      handle.setAttribute("aria-valuetext", monthName(month));
    }
  }

  function commit(push) {
    clearTimeout(timer);
    const from = span.low === scale.minMonth ? "" : monthValue(span.low);
    const to = span.high === scale.maxMonth ? "" : monthValue(span.high);
    form.dispatchEvent(new CustomEvent("timeline:span", { detail: { from, to, push } }));
  }

  function setSpan(a, b) {
    const clamp = (month) => Math.min(Math.max(month, scale.minMonth), scale.maxMonth);
    span.low = clamp(Math.min(a, b));
    span.high = clamp(Math.max(a, b));
    place();
  }

  const monthAt = (clientX) => monthOf(Math.floor(scale.day(fromScreen(svg, clientX))));

  // Keyboard: each handle is a slider over the strip's months.
  for (const handle of [low, high]) {
    handle.addEventListener("keydown", (event) => {
      const isLow = handle === low;
      const now = isLow ? span.low : span.high;
      // On a right-to-left strip, the left arrow moves later in time.
      const back = getComputedStyle(figure).direction === "rtl" ? 1 : -1;
      const steps = { ArrowLeft: back, ArrowDown: -1, ArrowRight: -back, ArrowUp: 1, PageDown: -12, PageUp: 12 };
      let next;
      if (event.key in steps) next = now + steps[event.key];
      else if (event.key === "Home") next = isLow ? scale.minMonth : span.low;
      else if (event.key === "End") next = isLow ? span.high : scale.maxMonth;
      else return;
      event.preventDefault();
      if (isLow) setSpan(Math.min(next, span.high), span.high);
      else setSpan(span.low, Math.max(next, span.low));
      clearTimeout(timer);
      timer = setTimeout(() => commit(true), COMMIT_MS);
    });
    handle.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      event.stopPropagation();
      handle.focus();
      handle.setPointerCapture(event.pointerId);
      const move = (moved) => {
        const month = monthAt(moved.clientX);
        if (handle === low) setSpan(Math.min(month, span.high), span.high);
        else setSpan(span.low, Math.max(month, span.low));
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", () => {
        handle.removeEventListener("pointermove", move);
        commit(true);
      }, { once: true });
    });
  }

  // Dragging across the strip selects the months it covers; a press that barely moves
  // stays a click on whatever mark is under it.
  svg.parentElement.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    const startX = event.clientX;
    const anchor = monthAt(startX);
    let dragging = false;
    const move = (moved) => {
      if (!dragging && Math.abs(moved.clientX - startX) < DRAG_PX) return;
      dragging = true;
      setSpan(anchor, monthAt(moved.clientX));
    };
    const up = () => {
      window.removeEventListener("pointermove", move);
      if (!dragging) return;
      swallowClick();
      commit(true);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up, { once: true });
    event.preventDefault(); // no text selection or image drag while selecting
  });

  // The form says where the span is (from the URL, Clear, back and forward).
  function follow() {
    const from = spanMonth(form.elements.namedItem("from")?.value, false);
    const to = spanMonth(form.elements.namedItem("to")?.value, true);
    setSpan(from ?? scale.minMonth, to ?? scale.maxMonth);
  }
  document.addEventListener("timeline:shown", follow);
  new ResizeObserver(place).observe(svg);
  follow();
}

// The controls over the strip: the shaded outside of the span and a handle at each end.
// They sit outside the strip's aria-hidden drawing, so assistive technology gets them.
function spanLayer(figure) {
  const layer = document.createElement("div");
  layer.className = "overview-select overview-select--whole";
  layer.setAttribute("role", "group");
  layer.setAttribute("aria-label", _("Span of time shown"));
  const help = document.createElement("p");
  help.id = "overview-help";
  help.className = "visually-hidden";
  help.textContent = _(
    "Narrow the list to a span of time: drag across the overview, or move these handles with the arrow keys (a month) and Page Up or Page Down (a year).",
  );
  layer.append(
    part("overview-select__shade overview-select__shade--before"),
    part("overview-select__shade overview-select__shade--after"),
    handle(_("From"), "overview-select__handle overview-select__handle--low"),
    handle(_("To"), "overview-select__handle overview-select__handle--high"),
  );
  figure.append(layer, help);
  return layer;

  function part(className) {
    const element = document.createElement("div");
    element.className = className;
    return element;
  }

  function handle(label, className) {
    const element = part(className);
    element.tabIndex = 0;
    element.setAttribute("role", "slider");
    element.setAttribute("aria-label", label);
    element.setAttribute("aria-describedby", help.id);
    return element;
  }
}

// "2019-02" -> its month; "2019" -> January (a start) or December (an end) of 2019.
function spanMonth(value, last) {
  const match = SPAN_RE.exec(value || "");
  if (!match) return null;
  const month = match[2] ? Number(match[2]) : last ? 12 : 1;
  return Number(match[1]) * 12 + month - 1;
}

// After a drag that began on a mark, the browser still fires a click on the mark: drop it.
function swallowClick() {
  const stop = (event) => {
    event.preventDefault();
    event.stopPropagation();
  };
  window.addEventListener("click", stop, { capture: true, once: true });
  setTimeout(() => window.removeEventListener("click", stop, { capture: true }), 0);
}

// Following the list ------------------------------------------------------------------

function followList(svg) {
  const marks = [...svg.querySelectorAll(".overview__marks [data-slug]")];
  const bins = [...svg.querySelectorAll(".overview__bin")];
  let hits = null;
  document.addEventListener("timeline:shown", ({ detail }) => {
    for (const mark of marks) {
      const shown = detail.shown.has(mark.dataset.slug);
      mark.classList.toggle("overview__mark--dimmed", detail.filtering && !shown);
      mark.classList.toggle("overview__mark--hit", detail.filtering && shown);
    }
    if (bins.length) {
      hits?.remove();
      hits = detail.filtering ? binHits(bins, [...detail.shown.values()]) : null;
      if (hits) svg.querySelector(".overview__density").after(hits);
      for (const bin of bins) bin.classList.toggle("overview__bin--dimmed", detail.filtering);
    }
  });
}

// The shown events' share of each bin, drawn over the bin from its foot.
function binHits(bins, starts) {
  const group = document.createElementNS(SVG_NS, "g");
  group.setAttribute("class", "overview__hits");
  const sorted = starts.filter(Boolean).sort();
  for (const bin of bins) {
    const from = dayKey(bin.dataset.from);
    const to = dayKey(bin.dataset.to);
    const count = sorted.filter((start) => start >= from && start <= to).length;
    if (!count) continue;
    const total = Number(bin.dataset.count) || count;
    const height = Number(bin.getAttribute("height")) * Math.min(1, count / total);
    const rect = document.createElementNS(SVG_NS, "rect");
    rect.setAttribute("class", "overview__bin-hit");
    rect.setAttribute("x", bin.getAttribute("x"));
    rect.setAttribute("width", bin.getAttribute("width"));
    rect.setAttribute("y", String(Number(bin.getAttribute("y")) + Number(bin.getAttribute("height")) - height));
    rect.setAttribute("height", String(height));
    group.append(rect);
  }
  return group;
}

// An ISO day as a `model.day_key` (the digits of the list's data-start), to compare.
function dayKey(iso) {
  const match = ISO_RE.exec(iso || "");
  if (!match) return "";
  const year = Math.max(Math.min(Number(match[1]), 999999), -999999) + 1000000;
  return `${String(year).padStart(7, "0")}${match[2]}${match[3]}`;
}

// Marks lead to cards -----------------------------------------------------------------

function leadToCards(svg) {
  for (const link of svg.querySelectorAll(".overview__marks a[href]")) {
    link.addEventListener("click", (event) => {
      const slug = link.querySelector("[data-slug]")?.dataset.slug;
      const card = slug && document.getElementById(slug);
      if (!card || card.closest("[hidden]")) return;
      event.preventDefault();
      card.scrollIntoView({ block: "center", behavior: "instant" }); // as openAtStart's
      card.querySelector("a")?.focus({ preventScroll: true });
      history.replaceState(null, "", `#${slug}`);
    });
  }
}
